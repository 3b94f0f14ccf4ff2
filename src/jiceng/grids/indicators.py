"""Grid coverage figures (004-P7: every household and unit in a grid; every grid with its worker and
its party group) and the visits made, in the area tree below each scope's organisation, for many
scopes at once (core.indicators)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Scope, grouped, register
from jiceng.core.models import Org
from jiceng.core.periods import Period
from jiceng.people import queries as people

from . import queries


def _counts(scopes: Sequence[Scope], qs: QuerySet, field: str) -> dict[int, IndicatorValue]:
    return {
        pk: IndicatorValue(value=agg["n"])
        for pk, agg in grouped(scopes, qs, field, {"n": Count("pk")}, basis="area").items()
    }


def _under(org: Org, qs: QuerySet, field: str) -> QuerySet:
    """The rows of ``qs`` in ``org``'s area subtree (none for an organisation without an area)."""
    if org.area_id is None:
        return qs.none()
    return qs.filter(**{f"{field}__startswith": org.area.path})


def _households_outside() -> QuerySet:
    return people.households().exclude(queries.in_grid_q("area"))


def _units_outside() -> QuerySet:
    return queries.units().exclude(queries.in_grid_q("area"))


def _rows(make: Callable[[Period], QuerySet], field: str):
    def rows(org: Org, period: Period, which: str) -> QuerySet:
        return _under(org, make(period), field).order_by(field, "pk")

    return rows


@register(
    "grids.households_outside_grids",
    label=_("households not in any grid"),
    unit="count",
    counts="households",
    additive=True,
    basis="area",
    rows=_rows(lambda period: _households_outside(), "area__path"),
    description=_(
        "Households registered at an area that is neither a grid nor a building of a grid "
        "(004-P7: every household in a grid)."
    ),
)
def households_outside_grids(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _counts(scopes, _households_outside(), "area__path")


@register(
    "grids.units_outside_grids",
    label=_("units not in any grid"),
    unit="count",
    counts="units",
    additive=True,
    basis="area",
    rows=_rows(lambda period: _units_outside(), "area__path"),
    description=_("Shops, enterprises and offices placed at an area that is not a grid nor in one."),
)
def units_outside_grids(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _counts(scopes, _units_outside(), "area__path")


@register(
    "grids.grids_without_worker",
    label=_("grids without a grid worker"),
    unit="count",
    counts="grids",
    additive=True,
    basis="area",
    rows=_rows(lambda period: queries.grids_without_worker(period.as_of), "path"),
    description=_(
        "Grids where nobody holds the grid-worker duty (入网定责, duty 网格员) on the period's last day."
    ),
)
def grids_without_worker(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _counts(scopes, queries.grids_without_worker(period.as_of), "path")


@register(
    "grids.grids_without_party_group",
    label=_("grids without a party group"),
    unit="count",
    counts="grids",
    additive=True,
    basis="area",
    rows=_rows(lambda period: queries.grids_without_party_group(period.as_of), "path"),
    description=_("Grids with no party group anchored at them on the period's last day (支部建在网格上)."),
)
def grids_without_party_group(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _counts(scopes, queries.grids_without_party_group(period.as_of), "path")


@register(
    "grids.visits",
    label=_("visits by grid workers"),
    unit="count",
    counts="visits",
    additive=True,
    basis="area",
    rows=_rows(lambda period: queries.visits_between(period.start, period.as_of), "grid__path"),
    description=_(
        "Visits, receptions and screenings recorded in the grids, dated in the period up to its last day."
    ),
)
def visits(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    return _counts(scopes, queries.visits_between(period.start, period.as_of), "grid__path")
