"""Forms only parse input into Python values; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput, PhotosField
from jiceng.core.widgets import SearchSelect

from .models import Duty, UnitKind, VisitKind
from .plugin import MANAGE_GRID

ID_MAX = 2**31 - 1  # no record key is larger; a larger number is nobody's
Q_MAX = 50


def _id_field(label, *, required: bool = False, widget=None, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=required, min_value=1, max_value=ID_MAX, widget=widget, help_text=help_text
    )


def area_label(area) -> str:
    return area.name


class GridFilterForm(BoundaryForm):
    village = _id_field(
        _("Village or community"),
        widget=SearchSelect(url_name="grid_area_lookup", params={"kind": "village,community"}),
    )
    no_worker = forms.BooleanField(label=_("Only grids without a grid worker"), required=False)
    q = forms.CharField(label=_("Grid name"), required=False, max_length=Q_MAX)

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.scope(villages, label=area_label)


class VisitForm(BoundaryForm):
    """The phone form of a visit: whom, when, the three questions and the three things brought."""

    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices, widget=forms.RadioSelect)
    visited_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    household = _id_field(_("Household"), widget=SearchSelect(url_name="grid_household_lookup"))
    person = _id_field(
        _("Person visited"),
        widget=SearchSelect(url_name="grid_person_lookup"),
        help_text=_("Optional: the resident you spoke with."),
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
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
    sent_warmth = forms.BooleanField(label=_("Brought warmth (送温暖)"), required=False)
    sent_policy = forms.BooleanField(label=_("Explained a policy (送政策)"), required=False)
    sent_service = forms.BooleanField(label=_("Brought a service (送服务)"), required=False)
    notes = forms.CharField(
        label=_("What was found"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(
        label=_("Photos"),
        capture=True,
        help_text=_("Up to 6 photos (JPEG, PNG or WebP, 8 MB each); location data is removed."),
    )

    def __init__(self, *args, grid=None, households=None, people=None, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        kw = {"grid_id": grid.pk} if grid is not None else None
        self.fields["household"].widget.scope(households, label=household_label, url_kwargs=kw)
        self.fields["person"].widget.scope(people, label=person_label, url_kwargs=kw)
        self.fields["unit"].choices = [("", "—"), *((u.pk, u.name) for u in units)]


def household_label(h) -> str:
    return f"{h.address}（{h.head_name}户）"


def person_label(p) -> str:
    return p.name


class VisitFilterForm(BoundaryForm):
    grid = _id_field(_("Grid"), widget=SearchSelect(url_name="grid_area_lookup", params={"kind": "grid"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *VisitKind.choices])
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].widget.scope(grids, label=area_label)


class UnitForm(BoundaryForm):
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        required=False,
        max_length=30,
        help_text=_("18 characters, on the business licence; leave empty if the unit has none."),
    )
    area = _id_field(
        _("Grid"),
        required=True,
        widget=SearchSelect(
            url_name="grid_area_lookup", params={"kind": "grid,village,community,estate", "perm": MANAGE_GRID}
        ),
        help_text=_("Its grid; a village or community while it is not yet in one."),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=200)

    def __init__(self, *args, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].widget.scope(places, label=area_label)


class UnitFilterForm(BoundaryForm):
    q = forms.CharField(label=_("Name, code or address"), required=False, max_length=Q_MAX)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *UnitKind.choices])
    outside = forms.BooleanField(label=_("Only units not in a grid"), required=False)


class MoveForm(BoundaryForm):
    """Put a household or a unit into a grid."""

    grid = _id_field(
        _("Grid"),
        required=True,
        widget=SearchSelect(url_name="grid_area_lookup", params={"kind": "grid", "perm": MANAGE_GRID}),
    )

    def __init__(self, *args, grids=None, within=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].widget.scope(
            grids, label=area_label, params={"within": within.pk if within else None}
        )


class DutyForm(BoundaryForm):
    duty = forms.ChoiceField(label=_("Duty"), choices=Duty.choices)
    person = _id_field(
        _("Person"),
        widget=SearchSelect(url_name="village_person_lookup"),
        help_text=_("A member or resident of the village; or give a log-in, or just the name."),
    )
    user = forms.TypedChoiceField(label=_("Log-in"), required=False, coerce=int, empty_value=None)
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=50,
        help_text=_("Filled from the person or log-in when left empty."),
    )
    from_date = forms.DateField(label=_("From"), required=False, widget=DateInput())
    to_date = forms.DateField(
        label=_("To"), required=False, widget=DateInput(), help_text=_("Leave empty while it lasts.")
    )

    def __init__(self, *args, village=None, people=None, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.scope(
            people, label=person_label, url_kwargs={"area_id": village.pk} if village is not None else None
        )
        self.fields["user"].choices = [("", "—"), *((u.pk, str(u)) for u in users)]


class DutyEndForm(BoundaryForm):
    to_date = forms.DateField(label=_("Ended on"), required=False, widget=DateInput())


class WhereForm(BoundaryForm):
    q = forms.CharField(
        label=_("Address, estate or building"),
        required=False,
        max_length=Q_MAX,
        help_text=_("For example 小区 name, building or house number."),
    )
