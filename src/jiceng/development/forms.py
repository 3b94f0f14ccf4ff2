"""Forms only parse input into Python values; every rule of a step is the service's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput, PhotosField
from jiceng.people import queries as people_queries

from .models import Stage
from .services import DECISIONS, METHODS

ID_MAX = 2**31 - 1


class BoardFilterForm(BoundaryForm):
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All open records")), *Stage.choices]
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=50)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)


class ApplyForm(BoundaryForm):
    """Step 1: the application received — a resident already registered, or a new person."""

    org = forms.TypedChoiceField(label=_("Branch"), coerce=int)
    applied_on = forms.DateField(label=_("Application received on"), widget=DateInput())
    person = forms.TypedChoiceField(
        label=_("Registered resident"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Choose a resident already registered, or fill in the applicant below."),
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=50)
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—"), *people_queries.person_choices()["gender"]]
    )
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=18)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    education = forms.ChoiceField(
        label=_("Education"),
        required=False,
        choices=[("", "—"), *people_queries.person_choices()["education"]],
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    migrant_worker = forms.BooleanField(label=_("Migrant worker (农民工) working away"), required=False)
    host_outside = forms.CharField(
        label=_("Party organisation where they work"),
        required=False,
        max_length=200,
        help_text=_("For a migrant worker: the host organisation (outside this system), for 双向考察."),
    )
    document = forms.CharField(label=_("Application (title or number)"), required=False, max_length=100)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, branches=(), persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in branches]
        self.fields["person"].choices = [
            ("", "—"),
            *((p.pk, f"{p.name} {p.id_number_masked}") for p in persons),
        ]


class StepForm(BoundaryForm):
    """One step: the common part, and the fields the step has of its own (steps.StepDef.fields)."""

    on = forms.DateField(label=_("Date"), widget=DateInput())
    people = forms.CharField(label=_("Who (talker, reviewer…)"), required=False, max_length=100)
    document = forms.CharField(label=_("Document (title or number)"), required=False, max_length=100)
    note = forms.CharField(
        label=_("Opinion or note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos of documents"))
    exception_reason = forms.CharField(
        label=_("Reason for an exception to the time rule"),
        required=False,
        max_length=300,
        help_text=_("Only an officer with the right may record a step against a time rule, with a reason."),
    )
    # the steps' own fields
    method = forms.ChoiceField(
        label=_("Recommended by"), required=False, choices=[("", "—"), *METHODS.items()]
    )
    guides = forms.TypedMultipleChoiceField(
        label=_("Guiding members (1–2 full members)"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    introducers = forms.TypedMultipleChoiceField(
        label=_("Introducers (2 full members)"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(label=_("Training days"), required=False, min_value=0, max_value=365)
    hours = forms.IntegerField(label=_("Class hours"), required=False, min_value=0, max_value=2000)
    notice_from = forms.DateField(label=_("Public notice from"), required=False, widget=DateInput())
    notice_to = forms.DateField(label=_("Public notice until"), required=False, widget=DateInput())
    host_notice = forms.CharField(
        label=_("Public notice where they work"),
        required=False,
        max_length=200,
        help_text=_("A migrant worker is publicly noticed at home and where they work (两地公示)."),
    )
    present = forms.IntegerField(
        label=_("Full members present"), required=False, min_value=0, max_value=100000
    )
    probationary_present = forms.IntegerField(
        label=_("Probationary members present (not counted)"), required=False, min_value=0, max_value=100000
    )
    written = forms.IntegerField(
        label=_("Written opinions of absent full members"), required=False, min_value=0, max_value=100000
    )
    in_favour = forms.IntegerField(label=_("In favour"), required=False, min_value=0, max_value=100000)
    against = forms.IntegerField(label=_("Against"), required=False, min_value=0, max_value=100000)
    abstain = forms.IntegerField(label=_("Abstaining"), required=False, min_value=0, max_value=100000)
    decision = forms.ChoiceField(
        label=_("Resolution"), required=False, choices=[("", "—"), *DECISIONS.items()]
    )
    extension_months = forms.IntegerField(
        label=_("Extension (months)"), required=False, min_value=0, max_value=24
    )

    COMMON = ("on", "people", "document", "note", "photos", "exception_reason")
    VOTES = ("present", "probationary_present", "written", "in_favour", "against", "abstain")

    def __init__(self, *args, own=(), members=(), waivable=False, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = set(self.COMMON) | set(own)
        if "votes" in own:
            wanted |= set(self.VOTES)
        if not waivable:
            wanted.discard("exception_reason")
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        choices = [(m.member_id, m.member.person.name) for m in members]
        for name in ("guides", "introducers"):
            if name in self.fields:
                self.fields[name].choices = choices

    def step_data(self) -> dict:
        d = self.cleaned_data
        data = {
            k: d[k]
            for k in (
                "method",
                "guides",
                "introducers",
                "days",
                "hours",
                "notice_from",
                "notice_to",
                "host_notice",
                "decision",
                "extension_months",
            )
            if k in d and d[k] not in (None, "", [])
        }
        if "present" in d:
            data["votes"] = {
                k: d.get(k) if d.get(k) is not None else (None if k in ("present", "in_favour") else 0)
                for k in self.VOTES
            }
        return data


class EndForm(BoundaryForm):
    on = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(BoundaryForm):
    org = forms.TypedChoiceField(label=_("Committee"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    members = forms.IntegerField(label=_("Members to develop"), min_value=0, max_value=1_000_000)
    activists = forms.IntegerField(label=_("Activists to train"), min_value=0, max_value=1_000_000)
    migrant_members = forms.IntegerField(
        label=_("Of them migrant workers"), min_value=0, max_value=1_000_000, required=False
    )

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in committees]
