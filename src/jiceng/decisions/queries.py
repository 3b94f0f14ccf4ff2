"""Unscoped building blocks of village decisions: the matters a village has decided, who sits on
its bodies on a day, its quorum base, its last 村民代表会议. No actor, no scope: selectors scope,
indicators group by ``org__path``, other apps' services (finance) call them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from jiceng.core.models import Area, Org
from jiceng.people import queries as people_queries

from .models import Body, Matter, Meeting, MeetingKind, Outcome, Seat


@dataclass(frozen=True)
class DecidedMatter:
    id: int
    title: str
    kind: str
    decided_on: dt.date
    amount_fen: int | None  # amount in fen (分), None if the matter names none


def village_id_of(org: Org | Area) -> int | None:
    """The village (Area id) of a village party organisation, or of the village area itself."""
    if isinstance(org, Area):
        return org.pk
    return org.area_id


def matters() -> QuerySet[Matter]:
    """Every matter. Everywhere: filter by ``org__path`` or ``village``."""
    return Matter.objects.all()


def decided_q() -> Q:
    """Matters whose resolution passed (the 村民会议 / 村民代表会议 stage), whatever came after."""
    return Q(decided_on__isnull=False, outcome=Outcome.DECIDED)


def decided_matters(org: Org | Area) -> list[DecidedMatter]:
    """Matters of village/community ``org`` whose resolution passed (the 村民会议/村民代表会议
    stage passed), newest first. ``org``: the village's party organisation or the village area."""
    village = village_id_of(org)
    if village is None:
        return []
    rows = (
        Matter.objects.filter(decided_q(), village_id=village)
        .order_by("-decided_on", "-pk")
        .values_list("pk", "title", "kind", "decided_on", "amount_fen")
    )
    return [
        DecidedMatter(pk, title, kind, on, amount) for pk, title, kind, on, amount in rows if on is not None
    ]


def open_on_q(day: dt.date, prefix: str = "") -> Q:
    """Seats held on ``day``: since ≤ day < until (no until: still held)."""
    return Q(**{f"{prefix}since__lte": day}) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gt": day})
    )


def seats_on(day: dt.date) -> QuerySet[Seat]:
    """Seats (村务监督委员会, 村民代表) held on ``day``, everywhere: filter by ``village``."""
    return Seat.objects.filter(open_on_q(day))


def committee_persons(org: Org | Area, on: dt.date) -> set[int]:
    """people.Person ids seated that day on the village's 村党组织委员会 or 村民委员会 (居民委员会)
    — the 两委 — of ``org`` (the village's party organisation, or the village area)."""
    village = village_id_of(org)
    if village is None:
        return set()
    return set(people_queries.cadre_posts_on(on).filter(area_id=village).values_list("person_id", flat=True))


def villagers_committee_persons(village_id: int, on: dt.date) -> set[int]:
    """The 村民委员会 (居民委员会) members on ``on``: with the 村民代表, the 村民代表会议."""
    return set(
        people_queries.cadre_posts_on(on)
        .filter(area_id=village_id, committee__in=["villagers", "residents"])
        .values_list("person_id", flat=True)
    )


def party_committee_persons(village_id: int, on: dt.date) -> set[int]:
    return set(
        people_queries.cadre_posts_on(on)
        .filter(area_id=village_id, committee="party")
        .values_list("person_id", flat=True)
    )


def representative_persons(village_id: int, on: dt.date) -> set[int]:
    return set(
        seats_on(on)
        .filter(village_id=village_id, body=Body.REPRESENTATIVE)
        .values_list("person_id", flat=True)
    )


def supervision_persons(village_id: int, on: dt.date) -> set[int]:
    """村务监督委员会 members on ``on`` (finance: the 民主理财小组 is its duty)."""
    return set(
        seats_on(on).filter(village_id=village_id, body=Body.SUPERVISION).values_list("person_id", flat=True)
    )


def representative_meetings() -> QuerySet[Meeting]:
    """Every 村民代表会议 held for a matter, everywhere: filter by ``matter__village``."""
    return Meeting.objects.filter(kind=MeetingKind.REPRESENTATIVES)


def last_representative_meeting(village_ids) -> dict[int, dt.date]:
    """The last 村民代表会议 of each village (area id), where there was one."""
    from django.db.models import Max

    return dict(
        representative_meetings()
        .filter(matter__village_id__in=list(village_ids))
        .order_by()
        .values_list("matter__village_id")
        .annotate(last=Max("held_on"))
    )


# --- the quorum base --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumBase:
    """Adult villagers and households of a village on a day: counted from the residents recorded
    in its households (``kind`` "residents"), or the registered-population figure entered for it
    (``kind`` "registered", with its source and date), or nothing known (``kind`` "none")."""

    adults: int
    households: int
    kind: str
    source: str
    as_of: dt.date | None


def village_org(village: Area) -> Org | None:
    """The village's own party organisation: the top one anchored in its area."""
    return Org.objects.filter(area=village).order_by("depth", "path").first()


def registered_households(village: Area) -> QuerySet:
    return people_queries.households().filter(area__path__startswith=village.path)


def registered_adults(village: Area, day: dt.date) -> QuerySet:
    from jiceng.core.dates import years_before

    return people_queries.persons().filter(
        household__area__path__startswith=village.path, birth_date__lte=years_before(day, 18)
    )


def quorum_base(village: Area, day: dt.date) -> QuorumBase:
    from .models import PopulationFigure

    households = registered_households(village).count()
    if households:
        adults = registered_adults(village, day).count()
        return QuorumBase(adults, households, "residents", "网格住户登记的本村居民", day)
    figure = (
        PopulationFigure.objects.filter(village=village, as_of__lte=day).order_by("-as_of", "-pk").first()
    )
    if figure is not None:
        return QuorumBase(figure.adults, figure.households, "registered", figure.source, figure.as_of)
    return QuorumBase(0, 0, "none", "", None)


# --- the roster's problems ----------------------------------------------------------------------


def share_at_least(count: int, base: int, frac: dict) -> bool:
    """count ≥ base × num/den (“以上”, the number itself included), in integers."""
    return count * frac["den"] >= base * frac["num"]


def share_more_than(count: int, base: int, frac: dict) -> bool:
    """count > base × num/den (“过半数”), in integers."""
    return count * frac["den"] > base * frac["num"]


def frac_text(frac: dict) -> str:
    names = {(1, 2): "半数", (2, 3): "三分之二", (4, 5): "五分之四", (1, 3): "三分之一", (1, 10): "十分之一"}
    return names.get((frac["num"], frac["den"]), f"{frac['num']}/{frac['den']}")


def roster_problems(village: Area, day: dt.date, org: Org | None = None) -> list[str]:
    """What the 村民代表 roster of ``village`` breaks on ``day`` (村民委员会组织法 第二十五条): one
    representative per 5–15 households or per 村民小组, the representatives ≥ 4/5 and the women
    ≥ 1/3 of the 村民代表会议 (the 村民委员会 members and the representatives)."""
    from jiceng.core.rulepacks import rule

    org = org or village_org(village)
    band = rule("decisions.representative_households", org)
    rep_share = rule("decisions.representative_share", org)
    women_share = rule("decisions.women_share", org)
    seats = list(seats_on(day).filter(village=village, body=Body.REPRESENTATIVE).select_related("person"))
    reps = {s.person_id for s in seats}
    committee = villagers_committee_persons(village.pk, day)
    body = reps | committee
    problems: list[str] = []
    if not reps:
        return ["未登记村民代表（村民委员会组织法 第二十五条）。"]
    for s in seats:
        if not s.group_name and s.households is None:
            problems.append(f"村民代表{s.person.name}：未注明所在村民小组或推选户数。")
        elif not s.group_name and s.households is not None and not band["min"] <= s.households <= band["max"]:
            problems.append(
                f"村民代表{s.person.name}：推选户数{s.households}户，不在每{band['min']}至{band['max']}户推选一人的范围内。"
            )
    by_households = [s for s in seats if not s.group_name]
    households = quorum_base(village, day).households
    if (
        by_households
        and len(by_households) == len(seats)
        and households
        and len(reps) * band["max"] < households
    ):
        need = -(-households // band["max"])
        problems.append(
            f"本村{households}户，按每{band['max']}户至少一人应至少有{need}名村民代表，现有{len(reps)}名。"
        )
    if not share_at_least(len(reps), len(body), rep_share):
        problems.append(
            f"村民代表{len(reps)}人，未达到村民代表会议组成人员{len(body)}人的{frac_text(rep_share)}"
            "（村民委员会组织法 第二十五条）。"
        )
    from django.db.models import Count

    women = people_queries.persons().filter(pk__in=reps, gender="female").aggregate(n=Count("pk"))["n"]
    if not share_at_least(women, len(body), women_share):
        problems.append(
            f"妇女村民代表{women}人，未达到村民代表会议组成人员{len(body)}人的{frac_text(women_share)}"
            "（村民委员会组织法 第二十五条）。"
        )
    return problems
