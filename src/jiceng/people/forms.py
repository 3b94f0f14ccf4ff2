"""Forms only parse input into Python values; the rules are checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput
from jiceng.core.models import OrgKind
from jiceng.core.roles import Perm
from jiceng.core.widgets import SearchSelect

from .models import ETHNICITIES, Committee, Education, Gender, MemberStatus, Mobility, Post
from .plugin import CHANGE_MEMBER

# the kinds of organisation a member belongs to
MEMBER_ORG_KINDS = ",".join((OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.GROUP))


def org_label(org) -> str:
    return org.name


class MemberSearchForm(BoundaryForm):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=50,
        help_text=_("Matches from the start of the name (a surname finds everyone with it)"),
    )
    id_tail = forms.RegexField(
        label=_("ID number, last 4"),
        required=False,
        max_length=4,
        regex=r"^[0-9Xx]{4}$",
        error_messages={"invalid": _("Enter exactly the last four characters.")},
    )
    org = forms.IntegerField(
        label=_("Organisation"),
        required=False,
        widget=SearchSelect(url_name="org_lookup", params={"perm": Perm.VIEW_MEMBER}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—")] + MemberStatus.choices)
    age_band = forms.ChoiceField(label=_("Age band"), required=False)
    education = forms.ChoiceField(label=_("Education"), required=False)
    mobility = forms.ChoiceField(label=_("Mobility"), required=False, choices=[("", "—")] + Mobility.choices)

    def __init__(self, *args, age_bands=(), education_bands=(), orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the organisation filter: a searchable select over the orgs whose members the actor sees
        self.fields["org"].widget.scope(orgs, label=org_label)
        self.age_bands = age_bands  # the list shows each member's band instead of the birth date
        self.fields["age_band"].choices = [("", "—")] + [(b["key"], b["label"]) for b in age_bands]
        self.fields["education"].choices = [("", "—")] + [(b["key"], b["label"]) for b in education_bands]


class MemberForm(BoundaryForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=[(e, e) for e in ETHNICITIES])
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=18,
        help_text=_("Leave the masked value as it is to keep the stored number."),
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    education = forms.ChoiceField(
        label=_("Education"), required=False, choices=[("", "—")] + Education.choices
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    org = forms.IntegerField(
        label=_("Organisation"),
        widget=SearchSelect(url_name="org_lookup", params={"perm": CHANGE_MEMBER, "kind": MEMBER_ORG_KINDS}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices)
    joined_on = forms.DateField(label=_("Admitted on"), widget=DateInput())
    full_on = forms.DateField(label=_("Full member since"), required=False, widget=DateInput())
    mobility = forms.ChoiceField(label=_("Mobility"), choices=Mobility.choices)
    mobility_note = forms.CharField(label=_("Where and how to contact"), required=False, max_length=200)
    remarks = forms.CharField(
        label=_("Remarks"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, orgs=None, within=None, creating: bool = False, **kwargs):
        """``orgs``: the organisations the member may be placed in (a selector's queryset); the
        search looks ``within`` that committee (for a move: the member's township)."""
        super().__init__(*args, **kwargs)
        self.fields["org"].widget.scope(orgs, label=org_label, params={"org": within.pk if within else None})
        if creating:
            self.fields["id_number"].help_text = _(
                "18 characters; the birth date and gender are read from it."
            )


class CadrePostForm(BoundaryForm):
    """Seat someone on one of the village's two committees (两委)."""

    committee = forms.ChoiceField(label=_("Committee"), choices=Committee.choices)
    post = forms.ChoiceField(label=_("Post"), choices=Post.choices)
    person = forms.IntegerField(
        label=capfirst(_("person")), widget=SearchSelect(url_name="village_person_lookup")
    )
    term_from = forms.DateField(label=capfirst(_("term from")), widget=DateInput())
    term_to = forms.DateField(
        label=capfirst(_("term to")),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while the term runs."),
    )

    def __init__(self, *args, village=None, people=None, label=str, **kwargs):
        """``people``: who may be seated (a selector's queryset), each shown by ``label``."""
        super().__init__(*args, **kwargs)
        if village is not None:
            self.fields["person"].widget.scope(people, label=label, url_kwargs={"area_id": village.pk})


class CadrePostEndForm(BoundaryForm):
    term_to = forms.DateField(label=capfirst(_("term to")), widget=DateInput())


class MemberImportForm(BoundaryForm):
    """批量导入: the organisation the rows go under, and the spreadsheet."""

    org = forms.IntegerField(
        label=_("Import into"),
        widget=SearchSelect(url_name="org_lookup", params={"perm": CHANGE_MEMBER}),
        help_text=_("Each row's organisation must lie under this one; rows without one go here."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("An .xlsx workbook or a .csv file (UTF-8), at most 200,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    ignore_unknown = forms.BooleanField(
        label=_("Ignore columns that cannot be recognised"),
        required=False,
        help_text=_("Tick it after the check has listed them, if they need not be imported."),
    )

    def __init__(self, *args, orgs=None, **kwargs):
        """``orgs``: the targets offered first (a selector's queryset); the search finds any
        organisation the actor may import into."""
        super().__init__(*args, **kwargs)
        self.fields["org"].widget.scope(orgs, label=org_label)


class OwnCardForm(BoundaryForm):
    """A member's own 党员名片 (亮身份): the pledge and the list of services to the people."""

    pledge = forms.CharField(label=_("My pledge"), max_length=200, required=False)
    service_list = forms.CharField(
        label=_("My list of services to the people"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item per line, at most 20."),
    )


class OwnRevealForm(BoundaryForm):
    password = forms.CharField(
        label=_("Your password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
