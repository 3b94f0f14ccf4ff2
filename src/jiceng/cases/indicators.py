"""Case figures for any subtree and period (core.indicators, basis "area": a case counts where it
was placed). All of them come from one grouped aggregate (``queries._aggregates``), computed once
per set of scopes and period; the department page uses the same aggregate over a department's
subtree. Definitions: docs/indicators.md, "Cases"."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from jiceng.core.indicators import IndicatorValue, Scope, grouped, once, ratio, register, scopes_key
from jiceng.core.models import Org
from jiceng.core.periods import Period

from . import queries
from .models import Case, EnforcementOutcome, Kind, Level, Rating, State

FIELD = "area__path"


def _all(scopes: Sequence[Scope], period: Period) -> dict[int, dict]:
    def compute() -> dict[int, dict]:
        qs = queries.in_period(Case.objects.all(), period.start, period.as_of)
        return grouped(scopes, qs, FIELD, queries._aggregates(), basis="area")

    return once(("cases.figures", scopes_key(scopes), period.start, period.as_of), compute)


def _rows(which_map):
    """The cases behind a figure: ``which_map[which]`` filters the period's cases of the subtree."""

    def rows(org: Org, period: Period, which: str) -> QuerySet:
        qs = queries.in_period(Case.objects.all(), period.start, period.as_of)
        qs = qs.filter(area__path__startswith=org.area.path) if org.area_id else qs.none()
        q = which_map.get(which)
        return (qs.filter(q) if q is not None else qs).order_by("received_at", "pk")

    return rows


CLOSED = Q(state=State.CLOSED)
RESOLVED = Q(resolved_at__isnull=False)
RATED = CLOSED & ~Q(rating=Rating.UNRATED) & ~Q(rating="")


def _rate(name, label, numerator, denominator, description, num_q, den_q):
    @register(
        name,
        label=label,
        unit="rate",
        counts="cases",
        basis="area",
        additive=True,
        description=description,
        rows=_rows({"value": num_q, "numerator": num_q, "denominator": den_q}),
    )
    def compute(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
        got = _all(scopes, period)
        return {s.key: ratio(got[s.key][numerator] or 0, got[s.key][denominator] or 0) for s in scopes}

    return compute


def _count(name, label, key, description, q):
    @register(
        name,
        label=label,
        unit="count",
        counts="cases",
        basis="area",
        additive=True,
        description=description,
        rows=_rows({"value": q}),
    )
    def compute(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
        got = _all(scopes, period)
        return {s.key: IndicatorValue(value=got[s.key][key] or 0) for s in scopes}

    return compute


_count(
    "cases.received",
    _("requests received"),
    "received",
    _("Residents' requests received in the period, every channel and category."),
    None,
)
_count(
    "cases.closed",
    _("requests closed"),
    "closed",
    _("Requests received in the period and closed (rated, or closed as not rated)."),
    CLOSED,
)
_rate(
    "cases.closure_rate",
    _("closure rate"),
    "closed",
    "received",
    _("Closed ÷ received (requests received in the period)."),
    CLOSED,
    None,
)
_rate(
    "cases.on_time_rate",
    _("on-time rate"),
    "on_time",
    "resolved",
    _("Requests resolved within their category's promise (working days) ÷ requests resolved."),
    Q(resolved_at__isnull=False) & Q(resolved_at__lte=F("due_at")),
    RESOLVED,
)
_rate(
    "cases.in_village_rate",
    _("resolved in the village (小事不出村)"),
    "in_village",
    "closed",
    _("Closed requests that never went above the village or community ÷ closed requests."),
    CLOSED & Q(top_level__lte=Level.VILLAGE),
    CLOSED,
)
_rate(
    "cases.in_township_rate",
    _("resolved in the township (大事不出镇)"),
    "in_township",
    "closed",
    _("Closed requests that never went above the township ÷ closed requests."),
    CLOSED & Q(top_level__lte=Level.TOWNSHIP),
    CLOSED,
)
_rate(
    "cases.response_rate",
    _("response rate (响应率)"),
    "responded",
    "received",
    _("Requests accepted within the category's response time ÷ requests received (接诉即办)."),
    Q(accepted_at__isnull=False, accepted_at__lte=F("respond_due_at")),
    None,
)
_rate(
    "cases.resolution_rate",
    _("resolution rate (解决率)"),
    "resolved_by_resident",
    "rated",
    _("Rated requests the resident says were resolved ÷ rated requests (接诉即办; not rated: left out)."),
    RATED & Q(resolved_for_resident=True),
    RATED,
)
_rate(
    "cases.satisfaction_rate",
    _("satisfaction rate (满意率)"),
    "satisfied",
    "rated",
    _(
        "Rated requests rated satisfied or basically satisfied ÷ rated requests (接诉即办; not rated: left out)."
    ),
    RATED & Q(rating__in=[Rating.SATISFIED, Rating.BASIC]),
    RATED,
)


@register(
    "cases.avg_workdays",
    label=_("average working days to resolve"),
    unit="count",
    counts="cases",
    basis="area",
    description=_(
        "Working days from receipt to the reply, averaged over the requests resolved (received in the period)."
    ),
    # an average, not a count of records: the figure page cannot list rows that add up to it
)
def avg_workdays(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
    got = _all(scopes, period)
    out = {}
    for s in scopes:
        n, total = got[s.key]["resolved"] or 0, got[s.key]["workdays"] or 0
        out[s.key] = IndicatorValue(value=round(total / n, 1) if n else None, numerator=total, denominator=n)
    return out


# --- wage arrears (000-R4) and enforcement assistance (004-P1) -----------------------------------


def _special(scopes: Sequence[Scope], period: Period) -> dict[int, dict]:
    def compute() -> dict[int, dict]:
        qs = queries.in_period(
            Case.objects.filter(kind__in=[Kind.WAGE, Kind.ENFORCEMENT]), period.start, period.as_of
        )
        wage, enf = Q(kind=Kind.WAGE), Q(kind=Kind.ENFORCEMENT)
        executed = enf & Q(enforcement__outcome__in=[EnforcementOutcome.EXECUTED, EnforcementOutcome.PARTLY])
        return grouped(
            scopes,
            qs,
            FIELD,
            {
                # not "wage": an aggregate of that name would shadow the relation wage__workers reads
                "wage_received": Count("pk", filter=wage),
                "wage_closed": Count("pk", filter=wage & Q(state=State.CLOSED)),
                "wage_workers": Sum("wage__workers", filter=wage),
                "wage_amount": Sum("wage__amount", filter=wage),
                "pushed": Count("pk", filter=enf),
                "executed": Count("pk", filter=executed),
            },
            basis="area",
        )

    return once(("cases.special", scopes_key(scopes), period.start, period.as_of), compute)


CASE_COUNTS = ("wage", "wage_closed", "pushed", "executed")


def _special_count(name, label, key, description, q, *, money=False):
    @register(
        name,
        label=label,
        unit="count",
        counts="cases" if key in CASE_COUNTS else ("yuan" if money else "workers"),
        basis="area",
        additive=True,
        description=description,
        # a sum of workers or of yuan is not a count of records: no rows add up to it
        rows=_rows({"value": q}) if key in CASE_COUNTS else None,
    )
    def compute(scopes: Sequence[Scope], period: Period) -> dict[int, IndicatorValue]:
        got = _special(scopes, period)
        return {
            s.key: IndicatorValue(value=(float(got[s.key][key] or 0) if money else int(got[s.key][key] or 0)))
            for s in scopes
        }

    return compute


WAGE = Q(kind=Kind.WAGE)
ENF = Q(kind=Kind.ENFORCEMENT)
_special_count(
    "cases.wage_received",
    _("wage-arrears complaints received"),
    "wage_received",
    _("Wage-arrears complaints received in the period (000-R4: 受理)."),
    WAGE,
)
_special_count(
    "cases.wage_closed",
    _("wage-arrears complaints closed"),
    "wage_closed",
    _("Of them, closed (000-R4: 办结)."),
    WAGE & CLOSED,
)
_special_count(
    "cases.wage_workers",
    _("workers in wage-arrears complaints"),
    "wage_workers",
    _("Workers the complaints received in the period involve (000-R4: 涉及人数)."),
    WAGE,
)
_special_count(
    "cases.wage_amount",
    _("amount owed in wage-arrears complaints (yuan)"),
    "wage_amount",
    _("Amount owed in the complaints received in the period (000-R4: 涉及金额)."),
    WAGE,
    money=True,
)
_special_count(
    "cases.enforcement_pushed",
    _("enforcement cases pushed to grids"),
    "pushed",
    _("Court enforcement cases pushed to townships and grids in the period (004-P1: 推送)."),
    ENF,
)
_special_count(
    "cases.enforcement_executed",
    _("enforcement cases executed"),
    "executed",
    _("Of them, executed in full or in part by the court's recorded outcome (004-P1: 执结)."),
    ENF & Q(enforcement__outcome__in=[EnforcementOutcome.EXECUTED, EnforcementOutcome.PARTLY]),
)
