"""The indicator registry: a number means the same on the dashboard, in the API and in reports.

An app registers a compute function ``fn(org, period) -> IndicatorValue`` under a dotted name.
Compute functions work on one org subtree and run SQL aggregates; access is checked once, in
``compute_many`` (``compute`` is its one-indicator form), whether the values come from the
rollups or are computed live, so no caller can read a subtree outside its scope through an
indicator.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import NotFound
from .models import Org
from .periods import Period
from .roles import Perm
from .scoping import can_access_org


class ConsistencyError(Exception):
    """A breakdown does not add up to its total: refuse to show it rather than print a wrong table."""


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    value: int


@dataclass
class IndicatorValue:
    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    parts: list[Part] = field(default_factory=list)

    def check(self) -> IndicatorValue:
        keys = [p.key for p in self.parts]
        if len(set(keys)) != len(keys):
            raise ConsistencyError(f"breakdown names a part twice: {keys}")
        if self.parts and sum(p.value for p in self.parts) != self.value:
            raise ConsistencyError(
                f"breakdown sums to {sum(p.value for p in self.parts)}, total is {self.value}"
            )
        return self


def ratio(numerator: int, denominator: int) -> IndicatorValue:
    return IndicatorValue(
        value=round(numerator / denominator, 4) if denominator else None,
        numerator=numerator,
        denominator=denominator,
    )


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    unit: str  # count | rate | breakdown
    description: str
    fn: Callable[[Org, Period], IndicatorValue]


_DECLARED: dict[str, Indicator] = {}


def register(name: str, *, label: str, unit: str, description: str = ""):
    if unit not in {"count", "rate", "breakdown"}:
        raise ValueError(unit)

    def deco(fn: Callable[[Org, Period], IndicatorValue]):
        if name in _DECLARED:
            raise ValueError(f"indicator {name} registered twice")
        _DECLARED[name] = Indicator(name, str(label), unit, str(description), fn)
        return fn

    return deco


def registry() -> dict[str, Indicator]:
    """The indicators of the installed apps, by name."""
    from . import kit

    kit.plugins()  # the apps' indicator modules are imported there
    return {name: ind for name, ind in _DECLARED.items() if kit.in_installed_app(ind.fn.__module__)}


def get(name: str) -> Indicator:
    try:
        return registry()[name]
    except KeyError:
        raise NotFound() from None


_shared: contextvars.ContextVar[dict | None] = contextvars.ContextVar("jiceng_indicator_shared", default=None)


@contextlib.contextmanager
def shared_work():
    """While several indicators of one subtree and period are computed together (a dashboard, a
    rollup), a query two of them need runs once: see ``once``."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def once(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its result from earlier in the same ``shared_work`` (key: what the
    result depends on, e.g. the org, the period and the rule values). Outside one, no caching."""
    memo = _shared.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@dataclass
class Computed:
    values: dict[str, IndicatorValue]
    stored_at: dt.datetime | None = None  # None: computed live for this request
    pending: bool = False  # stored, and writes under the subtree are waiting for the next rollup


def compute_many(*, actor, names: list[str], org: Org, period: Period) -> Computed:
    """The values of ``names`` for one subtree: from the rollups when they are valid
    (core/rollups.py), else computed live. The one access check for every indicator read."""
    for name in names:
        get(name)
    if not can_access_org(actor, Perm.VIEW_ORG, org):
        raise NotFound()
    from . import rollups  # rollups computes through this registry

    stored = rollups.read(org, period, names)
    if stored is not None:
        return Computed(stored.values, stored.computed_at, stored.pending)
    return Computed(compute_live(names, org, period))


def compute_live(names: list[str], org: Org, period: Period) -> dict[str, IndicatorValue]:
    """The values computed from the rows now, with no access check and no stored values: for
    the callers that have none to check (the rollup worker, ``indicators_dump``)."""
    with shared_work():
        return {name: get(name).fn(org, period).check() for name in names}


def compute(*, actor, name: str, org: Org, period: Period) -> IndicatorValue:
    return compute_many(actor=actor, names=[name], org=org, period=period).values[name]
