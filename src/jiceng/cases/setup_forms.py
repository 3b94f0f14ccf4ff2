"""Forms of the setup and routine pages (setup_views.py). They only parse; the rules are the
services' (setup.py, routine.py). Choices that depend on the actor come from the view."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput

from .models import Channel, Kind, Level, ListItemKind, MediatorTier, ResourceKind, Severity
from .routine import ATTENDEE_ROLES

BLANK = [("", "—")]
MILESTONE_ROWS = 5  # blank milestone rows on a new project (more are added on the project's page)


def parse_month(text: str | None) -> dt.date | None:
    """ "2026-05" as the first day of that month; None for anything else."""
    text = (text or "").strip()
    if len(text) != 7 or text[4] != "-" or not text.isascii() or not (text[:4] + text[5:]).isdigit():
        return None
    year, month = int(text[:4]), int(text[5:])
    return dt.date(year, month, 1) if 1900 <= year <= 9999 and 1 <= month <= 12 else None


class _Choices(BoundaryForm):
    """A form whose selects the view fills: ``choices={"field": [(value, label), ...]}``."""

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in (choices or {}).items():
            self.fields[name].choices = list(options)


# --- county setup --------------------------------------------------------------------------------------


class DepartmentForm(_Choices):
    name = forms.CharField(label=_("Department name"), max_length=100)
    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=40,
        help_text=_("Letters, digits and underscores, e.g. civil_affairs; the same code across counties."),
    )
    area = forms.TypedChoiceField(label=_("Serves"), coerce=int, choices=())
    parent = forms.TypedChoiceField(
        label=_("Under the department"), coerce=int, required=False, empty_value=None, choices=BLANK
    )


class RenameForm(BoundaryForm):
    name = forms.CharField(label=_("New name"), max_length=100)


class UserSearchForm(BoundaryForm):
    q = forms.CharField(label=_("User name"), required=False, max_length=50)


class StaffForm(_Choices):
    user = forms.TypedChoiceField(label=_("User"), coerce=int, choices=())


class MediatorForm(_Choices):
    area = forms.TypedChoiceField(label=_("Serves"), coerce=int, choices=())
    tier = forms.ChoiceField(label=_("Tier"), choices=MediatorTier.choices)
    user = forms.TypedChoiceField(label=_("User"), coerce=int, choices=())


class MediatorFilterForm(_Choices):
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=BLANK + list(MediatorTier.choices))
    area = forms.TypedChoiceField(
        label=_("Area"), coerce=int, required=False, empty_value=None, choices=BLANK
    )
    retired = forms.BooleanField(label=_("Show retired ones too"), required=False)


class AdviserForm(_Choices):
    area = forms.TypedChoiceField(label=_("Village/community"), coerce=int, choices=())
    name = forms.CharField(label=_("Name"), max_length=50)
    firm = forms.CharField(label=_("Law firm"), required=False, max_length=100)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)


class AdviserFilterForm(_Choices):
    area = forms.TypedChoiceField(
        label=_("Area"), coerce=int, required=False, empty_value=None, choices=BLANK
    )
    retired = forms.BooleanField(label=_("Show former advisers too"), required=False)


class CategoryFilterForm(BoundaryForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=BLANK + list(Kind.choices))
    q = forms.CharField(label=_("Name or code"), required=False, max_length=50)
    own = forms.BooleanField(label=_("Only the county's own"), required=False)


LEVELS = [(str(v), label) for v, label in Level.choices]
SEVERITIES = tuple(Severity)


class CategoryForm(BoundaryForm):
    """A category as the county keeps it. ``new``: a category of its own (code and kind asked)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and underscores; cannot be changed later."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=60)
    group = forms.CharField(label=_("Group"), required=False, max_length=30)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    route_minor = forms.ChoiceField(label=_("Minor: starts at"), choices=LEVELS)
    route_normal = forms.ChoiceField(label=_("Ordinary: starts at"), choices=LEVELS)
    route_serious = forms.ChoiceField(label=_("Serious: starts at"), choices=LEVELS)
    route_major = forms.ChoiceField(label=_("Major: starts at"), choices=LEVELS)
    respond_hours = forms.IntegerField(label=_("Respond within (hours)"), min_value=1, max_value=720)
    promise_workdays = forms.IntegerField(
        label=_("Resolve within (working days)"), min_value=1, max_value=365
    )
    documents = forms.CharField(
        label=_("Documents needed"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    at_most_once = forms.BooleanField(label=_("At most one visit (最多跑一次)"), required=False)
    public = forms.BooleanField(
        label=_("Listed publicly"),
        required=False,
        help_text=_("Disputes, wage arrears and enforcement assistance are never listed publicly."),
    )
    active = forms.BooleanField(label=_("In use"), required=False)

    def __init__(self, *args, new: bool = True, private: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["code"], self.fields["kind"]
        if private:
            self.fields["public"].disabled = True

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        out = {
            k: d[k]
            for k in (
                "name",
                "group",
                "description",
                "respond_hours",
                "promise_workdays",
                "documents",
                "at_most_once",
                "active",
            )
        }
        out["public"] = d.get("public", False)
        out["routing"] = {s.value: int(d[f"route_{s.value}"]) for s in SEVERITIES}
        if "kind" in d:
            out["kind"] = d["kind"]
        return out


def category_initial(cat) -> dict:
    routing = cat.routing or {}
    return {
        "code": cat.code,
        "kind": cat.kind,
        "name": cat.name,
        "group": cat.group,
        "description": cat.description,
        **{f"route_{s.value}": str(routing.get(s.value, Level.VILLAGE)) for s in SEVERITIES},
        "respond_hours": cat.respond_hours,
        "promise_workdays": cat.promise_workdays,
        "documents": cat.documents,
        "at_most_once": cat.at_most_once,
        "public": cat.public,
        "active": cat.active,
    }


CLIENT_CHANNELS = [
    (c.value, c.label) for c in (Channel.HOTLINE, Channel.LABOUR, Channel.WECHAT, Channel.OPEN311)
]


class ClientForm(BoundaryForm):
    name = forms.CharField(
        label=_("System name"), max_length=60, help_text=_("e.g. the city's 12345 platform")
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CLIENT_CHANNELS)


# --- routine: duty roster ----------------------------------------------------------------------------------


class AreaFilterForm(_Choices):
    """A list of villages (service points) narrowed to a township and by name."""

    township = forms.TypedChoiceField(
        label=_("Township"), coerce=int, required=False, empty_value=None, choices=BLANK
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=50)
    flagged = forms.BooleanField(label=_("Only those needing attention"), required=False)


class ShiftForm(_Choices):
    on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    user = forms.TypedChoiceField(label=_("On duty"), coerce=int, choices=())


# --- routine: the monthly dispute routine -------------------------------------------------------------------


class MeetingForm(BoundaryForm):
    meeting_on = forms.DateField(label=_("Meeting held on"), required=False, widget=DateInput())
    attendees = forms.MultipleChoiceField(
        label=_("Who took part"),
        required=False,
        choices=[(r, r) for r in ATTENDEE_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    others = forms.CharField(
        label=_("Others who took part"), required=False, max_length=200, help_text=_("Separated by 、")
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ScreeningForm(BoundaryForm):
    description = forms.CharField(label=_("What was found"), required=False, max_length=300)
    parties = forms.CharField(label=_("Parties"), required=False, max_length=100)
    risk = forms.ChoiceField(label=_("Risk"), choices=Severity.choices, initial=Severity.NORMAL)
    case_number = forms.CharField(label=_("Request number (if filed)"), required=False, max_length=16)
    resolved = forms.BooleanField(label=_("Already resolved"), required=False)


# --- routine: the three lists --------------------------------------------------------------------------------


LIST_CHOICES = list(ListItemKind.choices)


class ListFilterForm(BoundaryForm):
    list = forms.ChoiceField(label=_("List"), required=False, choices=LIST_CHOICES)
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("open")), ("closed", _("closed")), ("all", _("all"))],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=50)


class NeedForm(BoundaryForm):
    title = forms.CharField(label=_("Need"), required=False, max_length=100)
    detail = forms.CharField(
        label=_("Details"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    case_number = forms.CharField(label=_("Request number (if filed)"), required=False, max_length=16)


class ResourceForm(BoundaryForm):
    title = forms.CharField(label=_("Resource"), required=False, max_length=100)
    resource_kind = forms.ChoiceField(label=_("Resource kind"), choices=ResourceKind.choices)
    offered_by = forms.CharField(label=_("Offered by (unit or member)"), required=False, max_length=100)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    detail = forms.CharField(
        label=_("Details"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProjectForm(_Choices):
    title = forms.CharField(label=_("Project"), required=False, max_length=100)
    detail = forms.CharField(
        label=_("What will be done"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    sources = forms.TypedMultipleChoiceField(
        label=_("Made from (needs and resources)"),
        coerce=int,
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, MILESTONE_ROWS + 1):
            self.fields[f"m{i}_title"] = forms.CharField(
                label=_("Milestone %(n)s") % {"n": i}, required=False, max_length=100
            )
            self.fields[f"m{i}_due"] = forms.DateField(
                label=_("Milestone %(n)s due on") % {"n": i}, required=False, widget=DateInput()
            )

    def milestone_rows(self) -> list[tuple[str, dt.date | None]]:
        d = self.cleaned_data
        return [(d.get(f"m{i}_title") or "", d.get(f"m{i}_due")) for i in range(1, MILESTONE_ROWS + 1)]

    def milestone_fields(self):
        return [(self[f"m{i}_title"], self[f"m{i}_due"]) for i in range(1, MILESTONE_ROWS + 1)]


class MilestoneForm(BoundaryForm):
    title = forms.CharField(label=_("Milestone"), required=False, max_length=100)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())


class MilestoneDoneForm(BoundaryForm):
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput())


class CloseForm(BoundaryForm):
    reason = forms.CharField(label=_("Reason for closing"), required=False, max_length=300)
