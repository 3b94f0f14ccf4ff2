"""Forms only parse input into Python values; every rule of a stage is the service's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput, PhotosField

from .models import Body, DemandBy, Outcome

ID_MAX = 2**31 - 1


class MatterFilterForm(BoundaryForm):
    village = forms.TypedChoiceField(
        label=_("Village/community"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(label=_("Matter type"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All")), *Outcome.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Search"), required=False, max_length=50)

    def __init__(self, *args, villages=(), types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("All")), *((v.pk, v.name) for v in villages)]
        self.fields["kind"].choices = [("", _("All")), *((k, r["name"]) for k, r in (types or {}).items())]
        from .workflows import SPECS

        stages: dict[str, str] = {}
        for spec in SPECS.values():
            for st in spec.states:
                stages.setdefault(st.key, st.label)
        self.fields["stage"].choices = [("", _("All")), *stages.items()]


class MatterForm(BoundaryForm):
    village = forms.TypedChoiceField(label=_("Village/community"), coerce=int)
    kind = forms.ChoiceField(label=_("Matter type"))
    procedure = forms.ChoiceField(label=_("Procedure"))
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount_yuan = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    proposed_on = forms.DateField(label=_("Registered on"), widget=DateInput())

    def __init__(self, *args, villages=(), types=None, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(v.pk, v.name) for v in villages]
        self.fields["kind"].choices = [(k, r["name"]) for k, r in (types or {}).items()]
        self.fields["procedure"].choices = list(procedures)


class StageForm(BoundaryForm):
    """Every field a stage may have; the view shows those of the stage's meeting."""

    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    assembly = forms.ChoiceField(
        label=_("Meeting"),
        required=False,
        choices=[
            ("representatives", _("villagers' representatives' assembly")),
            ("villagers", _("villagers' assembly")),
        ],
    )
    notice_on = forms.DateField(label=_("Notice published on"), required=False, widget=DateInput())
    route = forms.ChoiceField(
        label=_("Attendance counted by"),
        required=False,
        choices=[
            ("adults", _("adult residents")),
            ("households", _("household representatives")),
            ("groups", _("group representatives")),
        ],
    )
    attendee_ids = forms.TypedMultipleChoiceField(
        label=_("Present"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    attended = forms.IntegerField(
        label=_("Persons present"), required=False, min_value=0, max_value=1_000_000
    )
    households = forms.IntegerField(
        label=_("Households represented"), required=False, min_value=0, max_value=1_000_000
    )
    group_reps = forms.IntegerField(
        label=_("Group representatives elected"), required=False, min_value=0, max_value=100_000
    )
    votes_for = forms.IntegerField(label=_("For"), required=False, min_value=0, max_value=1_000_000)
    votes_against = forms.IntegerField(label=_("Against"), required=False, min_value=0, max_value=1_000_000)
    votes_abstain = forms.IntegerField(
        label=_("Abstaining"), required=False, min_value=0, max_value=1_000_000
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    names = forms.CharField(
        label=_("Names the disclosure must name"),
        required=False,
        max_length=500,
        help_text=_("Only those a disclosure must name (subsidy or contract holders), separated by commas."),
    )
    photos = PhotosField(label=_("Photos (minutes, sign-in sheet)"))

    def __init__(self, *args, attendees=(), show=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendee_ids"].choices = list(attendees)
        if show:
            for name in list(self.fields):
                if name not in show:
                    del self.fields[name]


class SeatForm(BoundaryForm):
    body = forms.ChoiceField(label=_("Body"), choices=Body.choices)
    person = forms.TypedChoiceField(label=_("Person"), coerce=int)
    group_name = forms.CharField(label=_("Villagers' group"), required=False, max_length=50)
    households = forms.IntegerField(
        label=_("Households represented"), required=False, min_value=1, max_value=1000
    )
    since = forms.DateField(label=_("Since"), widget=DateInput())

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = list(persons)


class SeatEndForm(BoundaryForm):
    seat = forms.IntegerField(min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    until = forms.DateField(label=_("Until"), widget=DateInput())


class PopulationForm(BoundaryForm):
    adults = forms.IntegerField(label=_("Adult villagers"), min_value=1, max_value=1_000_000)
    households = forms.IntegerField(label=_("Households"), min_value=1, max_value=1_000_000)
    as_of = forms.DateField(label=_("As of"), widget=DateInput())
    source = forms.CharField(label=_("Source"), max_length=200)


class DemandForm(BoundaryForm):
    by = forms.ChoiceField(label=_("Demanded by"), choices=DemandBy.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    filed_on = forms.DateField(label=_("Filed on"), widget=DateInput())
    signatures = forms.IntegerField(label=_("Signatures"), min_value=1, max_value=1_000_000)
