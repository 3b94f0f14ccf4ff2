"""Forms only parse input into Python values; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput, PhotosField

from .models import ContactRole


class FilterForm(BoundaryForm):
    q = forms.CharField(label=_("Name"), required=False, max_length=50)
    never = forms.BooleanField(label=_("Only never visited"), required=False)


class AssignForm(BoundaryForm):
    person = forms.TypedChoiceField(label=_("Member"), coerce=int)
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices)
    household = forms.TypedChoiceField(label=_("Household"), coerce=int, required=False, empty_value=None)
    area = forms.TypedChoiceField(
        label=_("Or an estate or building"), coerce=int, required=False, empty_value=None
    )
    since = forms.DateField(label=_("Since"), widget=DateInput())

    def __init__(self, *args, members=(), households=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(m.member.person_id, m.member.person.name) for m in members]
        self.fields["household"].choices = [
            ("", "—"),
            *((h.pk, f"{h.address}（{h.head_name}户）") for h in households),
        ]
        self.fields["area"].choices = [("", "—"), *((a.pk, a.name) for a in areas)]


class EndForm(BoundaryForm):
    until = forms.DateField(label=_("Until"), widget=DateInput())


class VisitForm(BoundaryForm):
    household = forms.TypedChoiceField(label=_("Household"), coerce=int, required=False, empty_value=None)
    visited_on = forms.DateField(label=_("Date"), widget=DateInput())
    asked_needs = forms.CharField(
        label=_("Needs (问需求)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    asked_difficulties = forms.CharField(
        label=_("Difficulties (问困难)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    asked_suggestions = forms.CharField(
        label=_("Suggestions (问建议)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    sent_warmth = forms.BooleanField(label=_("Brought warmth (送温暖)"), required=False)
    sent_policy = forms.BooleanField(label=_("Brought policy (送政策)"), required=False)
    sent_service = forms.BooleanField(label=_("Brought service (送服务)"), required=False)
    photos = PhotosField(label=_("Photos"), capture=True)

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        if households is None:
            del self.fields["household"]
        else:
            self.fields["household"].choices = [(h.pk, f"{h.address}（{h.head_name}户）") for h in households]
