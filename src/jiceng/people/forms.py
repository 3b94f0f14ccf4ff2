"""Forms only parse input into Python values; the rules are checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput

from .models import ETHNICITIES, Committee, Education, Gender, MemberStatus, Mobility, Post


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
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—")] + MemberStatus.choices)
    age_band = forms.ChoiceField(label=_("Age band"), required=False)
    education = forms.ChoiceField(label=_("Education"), required=False)
    mobility = forms.ChoiceField(label=_("Mobility"), required=False, choices=[("", "—")] + Mobility.choices)

    def __init__(self, *args, age_bands=(), education_bands=(), **kwargs):
        super().__init__(*args, **kwargs)
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
    org = forms.IntegerField(label=_("Organisation"), widget=forms.Select)
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices)
    joined_on = forms.DateField(label=_("Admitted on"), widget=DateInput())
    full_on = forms.DateField(label=_("Full member since"), required=False, widget=DateInput())
    mobility = forms.ChoiceField(label=_("Mobility"), choices=Mobility.choices)
    mobility_note = forms.CharField(label=_("Where and how to contact"), required=False, max_length=200)
    remarks = forms.CharField(
        label=_("Remarks"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, org_choices=(), creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].widget.choices = list(org_choices)
        if creating:
            self.fields["id_number"].help_text = _(
                "18 characters; the birth date and gender are read from it."
            )
            self.fields["org"].widget.choices = [("", "—")] + self.fields["org"].widget.choices


class CadrePostForm(BoundaryForm):
    """Seat someone on one of the village's two committees (两委)."""

    committee = forms.ChoiceField(label=_("Committee"), choices=Committee.choices)
    post = forms.ChoiceField(label=_("Post"), choices=Post.choices)
    person = forms.IntegerField(label=capfirst(_("person")), widget=forms.Select)
    term_from = forms.DateField(label=capfirst(_("term from")), widget=DateInput())
    term_to = forms.DateField(
        label=capfirst(_("term to")),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while the term runs."),
    )

    def __init__(self, *args, person_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.choices = [("", "—")] + list(person_choices)


class CadrePostEndForm(BoundaryForm):
    term_to = forms.DateField(label=capfirst(_("term to")), widget=DateInput())


class MemberImportForm(BoundaryForm):
    """批量导入: the organisation the rows go under, and the spreadsheet."""

    org = forms.IntegerField(
        label=_("Import into"),
        widget=forms.Select,
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

    def __init__(self, *args, org_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].widget.choices = list(org_choices)
