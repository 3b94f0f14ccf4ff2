"""Forms only parse input into Python values; the grading rules are checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput
from jiceng.core.models import OrgKind
from jiceng.core.widgets import SearchSelect

from .models import PlanStatus
from .plugin import GRADE

YES_NO = [("", "—"), ("yes", _("yes")), ("no", _("no"))]


class RoundOpenForm(BoundaryForm):
    # the field's choices are every committee the actor may grade (so it validates as before); the
    # select draws the chosen one and the first few, and searches the rest
    org = forms.TypedChoiceField(
        label=_("Graded by"),
        coerce=int,
        widget=SearchSelect(url_name="org_lookup", params={"perm": GRADE, "kind": OrgKind.COMMITTEE}),
    )
    year = forms.IntegerField(label=_("Year"))

    def __init__(self, *args, org_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = list(org_choices)


class RoundReopenForm(BoundaryForm):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Which records need correcting and why; kept in the change history."),
    )


class GradeFilterForm(BoundaryForm):
    level = forms.ChoiceField(label=_("Grade"), required=False)
    lagging = forms.ChoiceField(label=_("Lagging"), required=False, choices=YES_NO)
    q = forms.CharField(label=_("Organisation"), required=False, max_length=50)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—")] + [(lv["key"], lv["label"]) for lv in levels]


class GradeConfirmForm(BoundaryForm):
    final = forms.ChoiceField(label=_("Confirmed grade"))
    lagging = forms.BooleanField(label=_("Lagging (后进/软弱涣散)"), required=False)
    reason = forms.CharField(
        label=_("Reason for override"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the grade or the lagging mark differs from the proposal."),
    )

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["final"].choices = [(lv["key"], lv["label"]) for lv in levels]


class PlanForm(BoundaryForm):
    problems = forms.CharField(
        max_length=5_000, label=_("Problems found"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeasureRowForm(BoundaryForm):
    """One measure of a new plan; a row left entirely blank is skipped by the service."""

    description = forms.CharField(
        label=_("Measure"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"aria-label": _("Measure")}),
    )
    owner = forms.CharField(
        label=_("Owner"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"aria-label": _("Owner")}),
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=DateInput(attrs={"aria-label": _("Deadline")})
    )


MeasureFormSet = forms.formset_factory(MeasureRowForm, extra=0, max_num=30, absolute_max=30)


class MeasureCompleteForm(BoundaryForm):
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput())
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=300)


class PlanCloseForm(BoundaryForm):
    closure_note = forms.CharField(
        max_length=2_000,
        label=_("Closure note (how it was verified)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanFilterForm(BoundaryForm):
    status = forms.ChoiceField(
        label=_("Plan status"), required=False, choices=[("", "—")] + PlanStatus.choices
    )
    overdue = forms.BooleanField(label=_("With overdue measures"), required=False)
