"""The indicator registry: a number means the same on the dashboard, in the API, in reports, in
grading and in the rollups, because it is defined once.

An app registers an indicator's definition: a function that computes it, in SQL, for a list of
**scopes** at once (``Scope``: an organisation's subtree, or, for a rollup, the organisation's own
rows outside its child committees) and returns one value per scope. The value of one subtree is the
same function asked for one scope (``Indicator.fn``); the values of every village of a township, or
every branch of a village, come from one grouped query per depth (``compute_units``). An indicator
also declares:

* what it counts (``counts``: members, organisations, villages, meeting slots …) and, where the rows
  are records, a ``rows`` function listing them, so that any figure can be opened to the list
  behind it (tests check that the list's length is the figure);
* whether it adds up over a partition of a subtree (``additive``): then a rollup combines a
  committee from its child committees' stored values plus its own rows (core/rollups.py), instead
  of rescanning everything below it;
* which rules it depends on (``rules``): they resolve at each scope's organisation, and a rollup
  does not combine across an override inside the subtree.

Access is checked once, in ``compute_many`` (``compute`` is its one-indicator form), whether the
values come from the rollups or are computed live, so no caller can read a subtree outside its scope
through an indicator. ``compute_live`` and ``compute_units`` are the unchecked forms for callers that
have no actor or have checked already (the rollup worker, a service that grades what its actor may
grade).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Substr

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
    """A rate over nothing has no value (None, shown "—"), never 0."""
    return IndicatorValue(
        value=round(numerator / denominator, 4) if denominator else None,
        numerator=numerator,
        denominator=denominator,
    )


# --- scopes: where a value counts ------------------------------------------------------------------


@dataclass(frozen=True)
class OwnRows:
    """A committee's own rows for a rollup: those at the given org paths exactly or under the given
    prefixes (the committee itself and its children that are not rollup organisations), and the
    same in the area tree. Empty prefixes and paths select nothing."""

    org_exact: tuple[str, ...] = ()
    org_prefixes: tuple[str, ...] = ()
    area_exact: tuple[str, ...] = ()
    area_prefixes: tuple[str, ...] = ()

    def q(self, field: str, basis: str) -> Q:
        exact, prefixes = (
            (self.org_exact, self.org_prefixes) if basis == "org" else (self.area_exact, self.area_prefixes)
        )
        q = Q(**{f"{field}__in": list(exact)}) if exact else Q(pk__in=[])
        for p in prefixes:
            q |= Q(**{f"{field}__startswith": p})
        return q


@dataclass(frozen=True)
class Scope:
    """The rows an indicator counts for one unit: ``org``'s whole subtree (in the org tree, or in the
    area tree below ``org.area``), or only ``own`` rows. Rules resolve at ``org`` either way."""

    org: Org
    own: OwnRows | None = None

    @property
    def key(self) -> int:
        return self.org.pk


def _common_prefix(paths: Iterable[str], steplen: int) -> str:
    paths = list(paths)
    first = min(paths, key=len)
    n = 0
    while n + steplen <= len(first) and all(p[: n + steplen] == first[: n + steplen] for p in paths):
        n += steplen
    return first[:n]


def common_path(scopes: Sequence[Scope]) -> str:
    """The deepest org path every scope lies under ("" for scopes in different trees)."""
    return _common_prefix([s.org.path for s in scopes], Org.steplen) if scopes else ""


def scopes_q(scopes: Sequence[Scope], field: str, *, basis: str = "org") -> Q:
    """A condition selecting at least every row of the scopes (the common subtree of the whole ones,
    and each own-rows scope's rows), to narrow a query before it is cut by ``partitions``."""
    whole = [s for s in scopes if s.own is None]
    q = Q(pk__in=[])
    if whole:
        if basis == "org":
            q |= Q(**{f"{field}__startswith": common_path(whole)})
        else:
            areas = [s.org.area.path for s in whole if s.org.area is not None]
            if areas:
                q |= Q(**{f"{field}__startswith": _common_prefix(areas, Org.steplen)})
    for s in scopes:
        if s.own is not None:
            q |= s.own.q(field, basis)
    return q


def partitions(
    scopes: Sequence[Scope], qs: QuerySet, field: str, *, basis: str = "org"
) -> list[tuple[QuerySet, dict[str, list[int]]]]:
    """``qs`` cut by unit, for grouped aggregates: each element is some rows annotated with ``_u``, a
    key naming their unit, and the map from key to the scopes it counts for. ``field`` is the path
    (org or area, by ``basis``) that places a row. Whole subtrees of one path length share one query
    (grouped by the path's prefix); a single subtree is an index range; own rows are one query each.
    A unit with no area counts nothing in the area tree."""
    out: list[tuple[QuerySet, dict[str, list[int]]]] = []
    whole: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    nothing: dict[str, list[int]] = {}
    for s in scopes:
        if s.own is not None:
            key = f"own:{s.key}"
            out.append((qs.filter(s.own.q(field, basis)).annotate(_u=Value(key)), {key: [s.key]}))
            continue
        path = s.org.path if basis == "org" else (s.org.area.path if s.org.area is not None else None)
        if path is None:
            nothing.setdefault("none", []).append(s.key)
        else:
            whole[len(path)][path].append(s.key)
    if nothing:
        out.append((qs.none().annotate(_u=Value("none")), nothing))
    for length, keys in whole.items():
        if len(keys) == 1:
            (path,) = keys
            out.append((qs.filter(**{f"{field}__startswith": path}).annotate(_u=Value(path)), dict(keys)))
            continue
        steplen = Org.steplen
        rows = qs.filter(**{f"{field}__startswith": _common_prefix(keys, steplen)}).annotate(
            _u=Substr(field, 1, length)
        )
        if len(keys) <= 500:  # beyond, grouping the whole common subtree is cheaper than a long IN list
            rows = rows.filter(_u__in=list(keys))
        out.append((rows, dict(keys)))
    return out


def grouped(
    scopes: Sequence[Scope], qs: QuerySet, field: str, aggregates: dict[str, Any], *, basis: str = "org"
) -> dict[int, dict[str, Any]]:
    """``aggregates`` of ``qs`` for every scope, from one query per path length (see partitions)."""
    zero = qs.none().aggregate(**aggregates)  # no query: what an aggregate over no rows gives
    out: dict[int, dict[str, Any]] = {s.key: dict(zero) for s in scopes}
    for rows, keys in partitions(scopes, qs, field, basis=basis):
        for row in rows.order_by().values("_u").annotate(**aggregates):
            for pk in keys.get(row["_u"], ()):
                out[pk] = {k: row[k] for k in aggregates}
    return out


def by_rule(scopes: Sequence[Scope], key: str, on: dt.date | None = None) -> list[tuple[Any, list[Scope]]]:
    """Scopes grouped by the value rule ``key`` has at their organisation (one query for all)."""
    from .rulepacks import resolve_many

    values = resolve_many(key, [s.org for s in scopes], on)
    groups: list[tuple[Any, list[Scope]]] = []
    for s in scopes:
        for value, members in groups:
            if value == values[s.key]:
                members.append(s)
                break
        else:
            groups.append((values[s.key], [s]))
    return groups


# --- the registry ----------------------------------------------------------------------------------


Compute = Callable[[Sequence[Scope], Period], dict[int, IndicatorValue]]
Rows = Callable[[Org, Period, str], QuerySet]


@dataclass(frozen=True)
class Indicator:
    name: str
    label_text: Any  # lazy: read as ``label``, in the language of the request that reads it
    unit: str  # count | rate | breakdown
    description_text: Any
    compute: Compute
    counts: str  # what is counted, in words: "members", "meeting slots" …
    additive: bool = False
    basis: str = "org"  # the tree its rows hang in: org | area (a rollup's own rows are cut in it)
    rules: tuple[str, ...] = ()
    # rows(org, period, which): the records behind the figure; ``which`` is "value", "numerator",
    # "denominator" or a part's key. None: what is counted is not a record (a meeting slot).
    rows: Rows | None = None

    @property
    def label(self) -> str:
        return str(self.label_text)

    @property
    def description(self) -> str:
        return str(self.description_text)

    def fn(self, org: Org, period: Period) -> IndicatorValue:
        """The value for ``org``'s subtree: the definition asked for one scope."""
        return self.compute([Scope(org)], period)[org.pk]


_DECLARED: dict[str, Indicator] = {}


def register(
    name: str,
    *,
    label: str,
    unit: str,
    counts: str,
    description: str = "",
    additive: bool = False,
    basis: str = "org",
    rules: Sequence[str] = (),
    rows: Rows | None = None,
):
    if unit not in {"count", "rate", "breakdown"}:
        raise ValueError(unit)
    if basis not in {"org", "area"}:
        raise ValueError(basis)

    def deco(fn: Compute) -> Compute:
        if name in _DECLARED:
            raise ValueError(f"indicator {name} registered twice")
        _DECLARED[name] = Indicator(
            name, label, unit, description, fn, str(counts), additive, basis, tuple(rules), rows
        )
        return fn

    return deco


def registry() -> dict[str, Indicator]:
    """The indicators of the installed apps, by name."""
    from . import kit

    kit.plugins()  # the apps' indicator modules are imported there
    return {name: ind for name, ind in _DECLARED.items() if kit.in_installed_app(ind.compute.__module__)}


def get(name: str) -> Indicator:
    try:
        return registry()[name]
    except KeyError:
        raise NotFound() from None


def combine(values: Sequence[IndicatorValue], ind: Indicator) -> IndicatorValue:
    """An additive indicator over a partition: the sum of the parts' values (a rate from the sums of
    its numerators and denominators; a breakdown part by part, in the first value's order)."""
    if ind.unit == "rate":
        return ratio(sum(v.numerator or 0 for v in values), sum(v.denominator or 0 for v in values))
    parts: dict[str, list] = {}
    for v in values:
        for p in v.parts:
            parts.setdefault(p.key, [p.label, 0])[1] += p.value
    numerators = [v.numerator for v in values if v.numerator is not None]
    denominators = [v.denominator for v in values if v.denominator is not None]
    total = sum(v.value or 0 for v in values)
    if isinstance(total, float):  # amounts in yuan: a sum of binary fractions drifts (0.1 + 0.2)
        total = round(total, 6)
    return IndicatorValue(
        value=total,
        numerator=sum(numerators) if numerators else None,
        denominator=sum(denominators) if denominators else None,
        parts=[Part(k, label, n) for k, (label, n) in parts.items()],
    )


# --- shared work ------------------------------------------------------------------------------------

_shared: contextvars.ContextVar[dict | None] = contextvars.ContextVar("jiceng_indicator_shared", default=None)


@contextlib.contextmanager
def shared_work():
    """While several indicators of the same scopes and period are computed together (a dashboard, a
    rollup, a grading round), a query two of them need runs once: see ``once``."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def once(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its result from earlier in the same ``shared_work`` (key: what the
    result depends on, e.g. the scopes, the period and the rule values). Outside one, no caching."""
    memo = _shared.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def scopes_key(scopes: Sequence[Scope]) -> tuple:
    return tuple((s.key, s.own) for s in scopes)


# --- reading values -----------------------------------------------------------------------------------


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


def compute(*, actor, name: str, org: Org, period: Period) -> IndicatorValue:
    return compute_many(actor=actor, names=[name], org=org, period=period).values[name]


def compute_live(names: list[str], org: Org, period: Period) -> dict[str, IndicatorValue]:
    """The values computed from the rows now, with no access check and no stored values: for
    the callers that have none to check (the rollup worker, ``indicators_dump``)."""
    return {name: values[org.pk] for name, values in compute_units(names, [org], period).items()}


def compute_units(
    names: list[str], units: Sequence[Org], period: Period
) -> dict[str, dict[int, IndicatorValue]]:
    """``{name: {unit pk: value}}`` for many units at once (every village of a township): one grouped
    query per depth per indicator, from the same definitions as one subtree's values. No access
    check: a caller that serves a user has checked the units (a service that grades what its actor
    may grade)."""
    scopes = [Scope(u) for u in units]
    with shared_work():
        out = {}
        for name in names:
            values = get(name).compute(scopes, period)
            out[name] = {pk: v.check() for pk, v in values.items()}
        return out


def compute_for_units(
    *, actor, names: list[str], units: Sequence[Org], period: Period
) -> dict[int, dict[str, IndicatorValue]]:
    """``{unit pk: {name: value}}`` for units side by side (a township's villages on its home page):
    each unit checked like ``compute_many``; stored rollup values where they are valid, the rest
    computed live together, one grouped query per depth per indicator."""
    for name in names:
        get(name)
    for unit in units:
        if not can_access_org(actor, Perm.VIEW_ORG, unit):
            raise NotFound()
    from . import rollups

    stored = rollups.read_many(list(units), period, names)
    out: dict[int, dict[str, IndicatorValue]] = {pk: s.values for pk, s in stored.items()}
    live = [u for u in units if u.pk not in out]
    if live:
        for name, values in compute_units(names, live, period).items():
            for pk, v in values.items():
                out.setdefault(pk, {})[name] = v
    return out
