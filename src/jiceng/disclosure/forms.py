"""Forms only parse input into Python values; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput

from .models import BODY_MAX, NAME_MAX, NAMES_MAX, REASON_MAX, TITLE_MAX, Affair

NAMES_TEXT_MAX = (NAME_MAX + 1) * NAMES_MAX


class FilterForm(BoundaryForm):
    village = forms.TypedChoiceField(label=_("Village"), coerce=int, required=False, empty_value=None)
    affair = forms.ChoiceField(label=_("Affair"), required=False, choices=[("", "—"), *Affair.choices])
    start = forms.DateField(label=_("Published from"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Published to"), required=False, widget=DateInput())
    q = forms.CharField(label=_("Search"), required=False, max_length=50)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "—"), *((a.pk, a.name) for a in villages)]


class OverdueFilterForm(BoundaryForm):
    affair = forms.ChoiceField(label=_("Affair"), required=False, choices=[("", "—"), *Affair.choices])


class PublishForm(BoundaryForm):
    org = forms.TypedChoiceField(label=_("Village"), coerce=int)
    affair = forms.ChoiceField(label=_("Affair"), choices=Affair.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(label=_("Content"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    period_start = forms.DateField(label=_("Period from"), required=False, widget=DateInput())
    period_end = forms.DateField(label=_("Period to"), required=False, widget=DateInput())
    major = forms.BooleanField(label=_("Major matter (published at once)"), required=False)
    names = forms.CharField(
        label=_("Names the disclosure must name (one a line; shown only for the display period)"),
        required=False,
        max_length=NAMES_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.area.name if o.area else o.name) for o in orgs]

    def name_list(self) -> list[str]:
        text = self.cleaned_data.get("names") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class WithdrawForm(BoundaryForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
