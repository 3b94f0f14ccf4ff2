"""Forms of the case pages: they only parse; every rule (what a category needs, who may take a step,
the phone's format, a photo's size and type) is the service's, whose messages go onto these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput
from jiceng.core.widgets import SearchSelect

from .models import Channel, EnforcementOutcome, Kind, Rating, Severity, State
from .plugin import ENTER_CASE, PUSH_ENFORCEMENT

MAX_PHOTOS = 6
SEARCH_MAX = 50


def _choice_refused(label: str) -> dict[str, str]:
    return {"invalid_choice": f"{label}：不是可选的项，请重新选择。"}


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """A list of uploads, unchecked: how many, how large and what a photo is are the service's
    rules (core.photos strips the location data)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [d for d in data if d]
        return [data] if data else []


# --- filing a case ----------------------------------------------------------------------------------


class _CaseFields(BoundaryForm):
    """What every channel files a case with (services.CaseIn); field names are the service's."""

    category = forms.ChoiceField(
        label=_("Category"), required=False, error_messages=_choice_refused("诉求类别")
    )
    description = forms.CharField(
        label=_("What is the matter"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=200,
        help_text=_("E.g. house number, road, the nearest landmark."),
    )
    name = forms.CharField(label=_("Your name"), required=False, max_length=50)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    photos = PhotosField(
        label=_("Photos"),
        help_text=_("Up to 6 photos (JPEG, PNG or WebP, 8 MB each)."),
    )
    # wage arrears (欠薪): what the service needs for that category only
    wage_employer = forms.CharField(label=_("Employer owing the wages"), required=False, max_length=100)
    wage_employer_uscc = forms.CharField(
        label=_("Employer's unified social credit code"), required=False, max_length=30
    )
    wage_project = forms.CharField(label=_("Project or workplace"), required=False, max_length=100)
    wage_workers = forms.CharField(
        label=_("Workers owed"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    wage_amount = forms.CharField(
        label=_("Amount owed (yuan)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    WAGE_FIELDS = ("wage_employer", "wage_employer_uscc", "wage_project", "wage_workers", "wage_amount")

    def __init__(self, *args, category_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *category_choices]

    def wage_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.WAGE_FIELDS]

    def wage_values(self) -> dict[str, str]:
        """services.WageIn's fields, from what was posted (only a wage-arrears case reads them)."""
        d = self.cleaned_data
        return {n.removeprefix("wage_"): d.get(n) or "" for n in self.WAGE_FIELDS}

    def wage_errors(self) -> bool:
        return any(self[n].errors for n in self.WAGE_FIELDS)


class StaffCaseForm(_CaseFields):
    """A case entered by staff (window, phone, visit, 12345 …) on a resident's behalf."""

    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.NORMAL,
        required=False,
        error_messages=_choice_refused("紧急程度"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, error_messages=_choice_refused("来源渠道")
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=100,
        help_text=_("Left empty: the category's name."),
    )
    # a county officer's scope holds hundreds of villages and grids: a search, not a list
    area = forms.IntegerField(
        label=_("Village, community or grid"),
        required=False,
        widget=SearchSelect(url_name="cases_place_lookup", params={"perm": ENTER_CASE}),
        error_messages={"invalid": "所在村（社区）：请从列表中选择。"},
    )
    name = forms.CharField(label=_("Resident's name"), required=False, max_length=50)
    phone = forms.CharField(
        label=_("Resident's phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    field_order = [
        "category",
        "severity",
        "channel",
        "title",
        "description",
        "area",
        "address",
        "name",
        "phone",
        "photos",
    ]

    def __init__(self, *args, channel_choices=(), places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = list(channel_choices)
        if places is not None:
            self.fields["area"].widget.scope(places, label=lambda a: a.name)


class PublicCaseForm(_CaseFields):
    """A resident's own request, without an account."""

    area = forms.TypedChoiceField(
        label=_("Village or community"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages=_choice_refused("所在村（社区）"),
    )
    lat = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "28.123456"}),
    )
    lon = forms.CharField(
        label=_("Longitude"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "112.123456"}),
    )
    datum = forms.ChoiceField(
        label=_("Where the point comes from"),
        required=False,
        initial="wgs84",
        choices=[("wgs84", "WGS-84 (GPS)"), ("gcj02", "GCJ-02 (高德/腾讯地图)")],
        error_messages=_choice_refused("坐标系"),
    )
    public = forms.BooleanField(label=_("List my request publicly (never my name or phone)"), required=False)

    field_order = [
        "category",
        "description",
        "area",
        "address",
        "lat",
        "lon",
        "datum",
        "name",
        "phone",
        "public",
        "photos",
    ]

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "—"), *village_choices]


class CourtPushForm(BoundaryForm):
    """A court's enforcement case pushed to the grid (channel court)."""

    category = forms.ChoiceField(
        label=_("Category"), required=False, error_messages=_choice_refused("诉求类别")
    )
    area = forms.IntegerField(
        label=_("Village or grid"),
        required=False,
        widget=SearchSelect(url_name="cases_place_lookup", params={"perm": PUSH_ENFORCEMENT}),
        error_messages={"invalid": "所在村（社区）：请从列表中选择。"},
    )
    court = forms.CharField(label=_("Court"), required=False, max_length=100)
    court_case_number = forms.CharField(label=_("Court case number"), required=False, max_length=60)
    title = forms.CharField(label=_("Title"), required=False, max_length=100)
    description = forms.CharField(
        label=_("What the grid is asked to find out"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, category_choices=(), places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(category_choices)
        if places is not None:
            self.fields["area"].widget.scope(places, label=lambda a: a.name)


# --- the queue's filters ------------------------------------------------------------------------------


class CaseFilterForm(BoundaryForm):
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "—"), ("open", _("open (awaiting acceptance or in progress)")), *State.choices],
        error_messages=_choice_refused("状态"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", "—"), *Kind.choices],
        error_messages=_choice_refused("类型"),
    )
    category = forms.TypedChoiceField(
        label=_("Category"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages=_choice_refused("诉求类别"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", "—"), *Channel.choices],
        error_messages=_choice_refused("来源渠道"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    since = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Received until"), required=False, widget=DateInput())
    q = forms.CharField(
        label=_("Number, title or address"),
        required=False,
        max_length=SEARCH_MAX,
        error_messages={
            "max_length": f"搜索词：最多{SEARCH_MAX}个字（现为%(show_value)d个），请只输入编号、标题或地址的一部分。"
        },
    )

    def __init__(self, *args, category_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *category_choices]


# --- the steps on a case -----------------------------------------------------------------------------


class EmptyForm(BoundaryForm):
    """A step that takes nothing but the button (受理)."""


class ReasonForm(BoundaryForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    exception_reason = forms.CharField(
        label=_("Reason for acting past the time limit"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HandOnForm(BoundaryForm):
    to_user = forms.TypedChoiceField(
        label=_("Hand on to"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages=_choice_refused("转交给"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].choices = [("", "—"), *user_choices]


class WhistleForm(BoundaryForm):
    departments = forms.TypedMultipleChoiceField(
        label=_("Departments called"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "部门：应为本县在用的部门。"},
    )
    members = forms.TypedMultipleChoiceField(
        label=_("Party members called (optional)"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "党员：应为本村（社区）有账号的党员。"},
    )
    note = forms.CharField(label=_("What they are called for"), required=False, max_length=300)

    def __init__(self, *args, department_choices=(), member_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = list(department_choices)
        self.fields["members"].choices = list(member_choices)


class ReportInForm(BoundaryForm):
    note = forms.CharField(
        label=_("Report-in note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(BoundaryForm):
    reply = forms.CharField(
        label=_("Reply to the resident"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The resident reads it on the tracking page and by SMS."),
    )


class NoteForm(BoundaryForm):
    text = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    public = forms.BooleanField(label=_("Shown to the resident"), required=False)


class MediatorForm(BoundaryForm):
    mediator = forms.TypedChoiceField(
        label=_("Mediator"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages=_choice_refused("调解员"),
    )

    def __init__(self, *args, mediator_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediator"].choices = [("", "—"), *mediator_choices]


class AgreementForm(BoundaryForm):
    agreement_on = forms.DateField(
        label=_("Mediation agreement signed on"), required=False, widget=DateInput()
    )
    confirmation_applied_on = forms.DateField(
        label=_("Judicial confirmation applied for on"),
        required=False,
        widget=DateInput(),
        help_text=_("Within 30 days of the agreement (People's Mediation Law, art. 33)."),
    )


class WageForm(BoundaryForm):
    supervised = forms.BooleanField(label=_("Listed for supervision (挂牌督办)"), required=False)
    responsible_unit = forms.CharField(label=_("Responsible unit"), required=False, max_length=100)
    responsible_person = forms.CharField(label=_("Responsible person"), required=False, max_length=50)
    police_referred_on = forms.DateField(
        label=_("Referred to the police on"), required=False, widget=DateInput()
    )
    police_note = forms.CharField(label=_("Referral note"), required=False, max_length=300)
    recovered = forms.CharField(
        label=_("Amount recovered (yuan)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


_YES_NO = [("", "—"), ("yes", _("yes")), ("no", _("no"))]


class EnforcementReportForm(BoundaryForm):
    person_located = forms.ChoiceField(
        label=_("Person located"),
        required=False,
        choices=_YES_NO,
        error_messages=_choice_refused("是否找到当事人"),
    )
    contact_made = forms.ChoiceField(
        label=_("Contact made"),
        required=False,
        choices=_YES_NO,
        error_messages=_choice_refused("是否取得联系"),
    )
    assets_found = forms.CharField(
        label=_("Assets found"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CourtOutcomeForm(BoundaryForm):
    outcome = forms.ChoiceField(
        label=_("Court's outcome"),
        required=False,
        choices=[("", "—"), *EnforcementOutcome.choices],
        error_messages=_choice_refused("执行结果"),
    )
    outcome_on = forms.DateField(label=_("Outcome on"), required=False, widget=DateInput())
    amount_executed = forms.CharField(
        label=_("Amount executed (yuan)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class AdvanceForm(BoundaryForm):
    """The way on from a stage the county inserted (its key is the form's ``step``)."""

    step = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    exception_reason = forms.CharField(
        label=_("Reason for acting past the time limit"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- the resident's look-up and rating -------------------------------------------------------------------


class TrackForm(BoundaryForm):
    number = forms.CharField(
        label=_("Tracking number"),
        required=False,
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    tail = forms.CharField(
        label=_("Last four digits of your phone"),
        required=False,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6}),
    )

    def clean(self):
        data = super().clean()
        if not (data.get("number") or "").strip():
            self.add_error("number", "编号：必填。")
        if not (data.get("tail") or "").strip():
            self.add_error("tail", "手机号后四位：必填。")
        return data


class RateForm(TrackForm):
    rating = forms.ChoiceField(
        label=_("How satisfied are you"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (Rating.SATISFIED, Rating.SATISFIED.label),
            (Rating.BASIC, Rating.BASIC.label),
            (Rating.UNSATISFIED, Rating.UNSATISFIED.label),
        ],
        error_messages=_choice_refused("评价"),
    )
    resolved = forms.ChoiceField(
        label=_("Was the matter resolved"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("yes", _("yes, resolved")), ("no", _("no, not resolved"))],
        error_messages=_choice_refused("是否解决"),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].widget = forms.HiddenInput()
        self.fields["tail"].widget = forms.HiddenInput()


# a case's kinds of the staff form (enforcement is pushed by a court, never entered)
ENTERED_KINDS = tuple(k for k in Kind.values if k != Kind.ENFORCEMENT)
