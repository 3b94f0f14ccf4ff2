"""Forms only parse input into Python values; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput
from jiceng.core.widgets import SearchSelect

from .models import BranchType, CheckKind, Contact, TransferKind

ID_MAX = 2**31 - 1


def _id(label, *, required=True, widget=None) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=1, max_value=ID_MAX, widget=widget)


def _date(label, *, required=True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


def member_label(m) -> str:
    return f"{m.person.name}（{m.org.name}）"


class _MemberForm(BoundaryForm):
    def __init__(self, *args, members=None, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "member" in self.fields:
            params = {"org": org.pk} if org is not None else None
            self.fields["member"].widget.scope(members, label=member_label, params=params)


class OutflowForm(_MemberForm):
    member = _id(_("Member"), widget=SearchSelect(url_name="member_lookup"))
    destination = forms.CharField(label=_("Where to"), max_length=100)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    keep_in_touch = forms.ChoiceField(label=_("Kept in touch by"), choices=Contact.choices)
    contact = forms.CharField(label=_("Contact (number or account)"), max_length=50, required=False)
    card_number = forms.CharField(label=_("Mobile member card number"), max_length=30, required=False)
    fixed_place = forms.BooleanField(label=_("At a fixed place"), required=False)
    since = _date(_("Away since"))


class EndForm(BoundaryForm):
    on = _date(_("Date"))


class CheckInForm(BoundaryForm):
    on = _date(_("Date"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckKind.choices)
    channel = forms.ChoiceField(label=_("By"), choices=Contact.choices)
    note = forms.CharField(label=_("Summary"), max_length=200, required=False)


class InflowForm(BoundaryForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    home_org = forms.CharField(label=_("Relation kept at"), max_length=100)
    workplace = forms.CharField(label=_("Works at"), max_length=100, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=50, required=False)
    card_number = forms.CharField(label=_("Mobile member card number"), max_length=30, required=False)
    since = _date(_("Hosted since"))


class TransferForm(_MemberForm):
    member = _id(_("Member"), widget=SearchSelect(url_name="member_lookup"))
    kind = forms.ChoiceField(label=_("Kind"), choices=TransferKind.choices)
    to_org = forms.IntegerField(
        label=_("Receiving organisation's number (inside the system)"),
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=_("The receiving side reads it on its mobile members' page."),
    )
    destination = forms.CharField(
        label=_("Receiving organisation (out of the system)"), max_length=100, required=False
    )
    letter_number = forms.CharField(label=_("Letter number"), max_length=30)
    issued_on = _date(_("Issued on"))
    dues_paid_to = forms.DateField(
        label=_("Dues paid up to (month)"), widget=MonthInput(), input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ConfirmForm(BoundaryForm):
    on = _date(_("Received on"))


class CancelForm(BoundaryForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ProfileForm(BoundaryForm):
    branch_type = forms.ChoiceField(label=_("Branch type"), choices=BranchType.choices)
    online = forms.BooleanField(label=_("Online branch (网络党支部)"), required=False)
    platform = forms.CharField(label=_("Online platform (group name)"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class WorkSignForm(_MemberForm):
    member = _id(_("Member"), widget=SearchSelect(url_name="member_lookup"))
    since = _date(_("No assigned work done since"))
    reason = forms.CharField(label=_("What was assigned and not done"), max_length=200)


class HostedAttendanceForm(BoundaryForm):
    def __init__(self, *args, hosted=(), recorded=None, **kwargs):
        super().__init__(*args, **kwargs)
        recorded = recorded or {}
        choices = [("", "—"), ("present", _("present")), ("online", _("attended online"))]
        for i in hosted:
            initial = "" if i.pk not in recorded else ("online" if recorded[i.pk] else "present")
            self.fields[f"i{i.pk}"] = forms.ChoiceField(
                label=i.name, choices=choices, required=False, initial=initial
            )


class EnterpriseForm(BoundaryForm):
    org = _id(
        _("Registered by"), widget=SearchSelect(url_name="org_lookup", params={"perm": "manage_mobility"})
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30, required=False)
    place = forms.CharField(label=_("Where"), max_length=100)
    liaison = forms.CharField(label=_("Party-building liaison"), max_length=50, required=False)
    has_party_org = forms.BooleanField(label=_("Has a party organisation"), required=False)

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].widget.scope(orgs, label=lambda o: o.name)


class WorkerForm(BoundaryForm):
    org = _id(
        _("Registered by"), widget=SearchSelect(url_name="org_lookup", params={"perm": "manage_mobility"})
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("male", _("male")), ("female", _("female"))])
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900, max_value=2100)
    destination = forms.CharField(label=_("Works in"), max_length=100)
    enterprise = forms.TypedChoiceField(
        label=_("Host enterprise"), required=False, coerce=int, empty_value=None
    )
    trade = forms.CharField(label=_("Trade or skill"), max_length=50, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=50, required=False)
    since = _date(_("Away since"))
    returned_on = _date(_("Returned on"), required=False)
    activist = forms.BooleanField(label=_("Activist (入党积极分子)"), required=False)

    def __init__(self, *args, orgs=None, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].widget.scope(orgs, label=lambda o: o.name)
        self.fields["enterprise"].choices = [("", "—"), *[(e.pk, e.name) for e in enterprises]]
