"""Village decision writes. A matter is registered (``matter_create``) and starts its procedure;
each stage is recorded through ``record_stage``, which checks who may record it and every rule of
it (``stage_problems``, also the workflow's guard, so a direct ``workflows.transition`` is refused
alike), then writes the meeting, its attendees and photos, the matter's dates and the move, in one
transaction with one audit entry (the engine's). The rule check is computed from the recorded
attendance and votes — entitled counts come from the rosters, the party rolls and the quorum
base, never typed. At 决议公开 and 实施结果公开 the disclosure app publishes the item.

Rosters (``seat_add`` / ``seat_end``), the registered-population figure (``population_set``) and
demands for a 村民会议 (``demand_record``) are written here too."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiceng.core import audit, photos, workflows
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Area, Org, WorkflowInstance
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org
from jiceng.people import queries as people_queries

from . import queries
from .models import (
    Base,
    Body,
    Demand,
    DemandBy,
    Matter,
    Meeting,
    MeetingKind,
    MeetingPhoto,
    Outcome,
    PopulationFigure,
    Seat,
)
from .plugin import PROPOSE, RECORD, REVIEW
from .queries import frac_text, share_at_least, share_more_than
from .workflows import COMMUNITY, ENDING, FIVE_STEP, FOUR_TWO, MEETING_OF, ONE_THREE_TWO

PHOTO_KIND = "decisions"
MAX_PHOTOS = 6
VILLAGE_KINDS = ("village", "community")
ASSEMBLIES = ("villagers", "representatives")
ROUTES = ("adults", "households", "groups")


def _today() -> dt.date:
    return timezone.localdate()


def _text(
    errors: ErrorCollector, name: str, label: str, value: Any, limit: int, *, required: bool = False
) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        errors.add(name, f"{label}：应为文字。")
    elif len(text) > limit:
        errors.add(name, f"{label}：不能超过{limit}字。")
    elif required and not text:
        errors.add(name, f"{label}：必填。")
    return text


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json(v) for v in value]
    return value


# --- matters --------------------------------------------------------------------------------------


def matter_types(org: Org | None = None) -> dict[str, dict]:
    """The catalogue in force at ``org`` (rule decisions.matter_types)."""
    return rule("decisions.matter_types", org)


def procedures_for(village: Area) -> tuple[str, ...]:
    return (COMMUNITY,) if village.kind == "community" else (FOUR_TWO, FIVE_STEP, ONE_THREE_TWO)


def matter_create(
    *,
    actor,
    village: Area | None,
    kind: str,
    title: str,
    procedure: str,
    description: str = "",
    amount_fen: Any = None,
    proposed_on: dt.date | None = None,
) -> Matter:
    """Register a village's matter and start its procedure at the stage before the proposal."""
    errors = ErrorCollector()
    org = None
    if village is None or village.kind not in VILLAGE_KINDS:
        errors.add("village", "村（社区）：请选择一个村或社区。")
    else:
        org = queries.village_org(village)
        if org is None or not can_access_org(actor, PROPOSE, org):
            raise NotFound()
    types = matter_types(org)
    if kind not in types:
        errors.add("kind", "事项类型：请从事项类型目录中选择。")
    title = _text(errors, "title", "标题", title, 100, required=True)
    description = _text(errors, "description", "说明", description, 2000)
    if village is not None and village.kind in VILLAGE_KINDS and procedure not in procedures_for(village):
        errors.add(
            "procedure",
            "决策程序：社区适用四议两公开（社区）。"
            if village.kind == "community"
            else "决策程序：请选择四议两公开、五步决策法或一征三议两公开。",
        )
    amount: int | None = None
    if amount_fen not in (None, ""):
        amount = _int(amount_fen)
        if amount is None or amount < 0 or amount > 10**14:
            errors.add("amount_fen", "金额：应为不小于0的整数（分）。")
            amount = None
    on = proposed_on or _today()
    if not isinstance(on, dt.date):
        errors.add("proposed_on", "登记日期：请填写日期。")
    elif on > _today():
        errors.add("proposed_on", "登记日期：不能晚于今天。")
    errors.raise_if_any()
    assert org is not None and village is not None
    row = types[kind]
    with transaction.atomic():
        matter = Matter(
            org=org,
            village=village,
            kind=kind,
            kind_name=row["name"],
            title=title,
            description=description,
            amount_fen=amount,
            procedure=procedure,
            two_thirds_all=row["two_thirds_all"],
            assembly_only=row["assembly_only"],
            proposed_on=on,
            created_by=actor,
        )
        matter.stage, matter.stage_label = "registered", ""
        matter.save()
        instance = workflows.start(key=procedure, org=org, target=matter)
        spec = workflows.spec_of(instance.definition)
        matter.stage, matter.stage_label = instance.state, spec.state(instance.state).label
        matter.save(update_fields=["stage", "stage_label"])
        audit.record(
            actor=actor,
            action="decisions_matter",
            target=matter,
            org_path=org.path,
            changes={
                "title": [None, title],
                "kind": [None, row["name"]],
                "procedure": [None, spec.title],
                "amount_fen": [None, amount],
            },
        )
    return matter


def instance_of(matter: Matter) -> WorkflowInstance:
    return WorkflowInstance.objects.select_related("definition", "org").get(
        target_type="decisions.matter", target_id=str(matter.pk)
    )


# --- a stage's rule ---------------------------------------------------------------------------


@dataclass
class StageIn:
    """What a user records for one stage (the form, the API body, the demo)."""

    action: str
    held_on: dt.date | None = None
    notice_on: dt.date | None = None
    assembly: str = ""  # resolve: "villagers" (村民会议/居民会议) or "representatives" (代表会议)
    route: str = ""  # villagers' assembly: "adults", "households" or (居民会议) "groups"
    attendee_ids: list[int] = field(
        default_factory=list
    )  # persons present (committees, members, representatives)
    attended: Any = None  # villagers' assembly: persons present
    households: Any = None  # villagers' assembly: households represented
    group_reps: Any = None  # 居民会议 by group representatives: how many were elected
    votes_for: Any = None
    votes_against: Any = None
    votes_abstain: Any = None
    minutes: str = ""
    reason: str = ""  # reject, veto
    names: str = ""  # the names a disclosure must name (subsidy, contract holders …)


@dataclass
class Calc:
    """A meeting as computed from what was recorded."""

    kind: str
    entitled: int = 0
    attended: int = 0
    base: str = Base.PERSONS
    base_source: str = ""
    votes: tuple[int, int, int] | None = None
    passed: bool = True
    rule_text: str = ""
    attendee_ids: list[int] = field(default_factory=list)


def _matter_of(instance: WorkflowInstance) -> Matter:
    return Matter.objects.select_related("org", "village").get(pk=int(instance.target_id))


def _last_meeting_on(matter: Matter) -> dt.date:
    last = matter.meetings.order_by("-held_on").values_list("held_on", flat=True).first()
    return last or matter.proposed_on


def _votes(problems: list, data: dict, voters: int) -> tuple[int, int, int] | None:
    labels = {"votes_for": "赞成", "votes_against": "反对", "votes_abstain": "弃权"}
    got = []
    for k in ("votes_for", "votes_against", "votes_abstain"):
        raw = data.get(k)
        v = 0 if raw in (None, "") and k != "votes_for" else _int(raw)
        if v is None or v < 0:
            problems.append((k, f"{labels[k]}：请填写票数（非负整数）。"))
            return None
        got.append(v)
    if sum(got) != voters:
        problems.append(
            ("votes_for", f"赞成：赞成、反对、弃权之和（{sum(got)}）应等于有表决权的到会人数（{voters}）。")
        )
        return None
    return got[0], got[1], got[2]


def _persons(problems: list, data: dict, allowed: set[int], what: str) -> list[int]:
    raw = data.get("attendee_ids") or []
    ids = []
    for v in raw if isinstance(raw, list | tuple) else [raw]:
        n = _int(v)
        if n is None:
            problems.append(("attendee_ids", "到会人员：请从名单中选择。"))
            return []
        ids.append(n)
    ids = sorted(set(ids))
    outside = [i for i in ids if i not in allowed]
    if outside:
        problems.append(("attendee_ids", f"到会人员：有{len(outside)}人不是当日的{what}。"))
        return []
    return ids


def _quorum_majority(
    problems: list,
    calc: Calc,
    org: Org,
    *,
    quorum_key: str,
    quorum_strict: bool,
    majority_key: str,
    majority_of_entitled: bool = False,
    law: str,
) -> None:
    q = rule(quorum_key, org)
    m = rule(majority_key, org)
    ok = share_more_than if quorum_strict else share_at_least
    word = "未过" if quorum_strict else "未达到"
    if calc.entitled == 0:
        problems.append(("attended", f"应到会人数为0，不能召开（{law}）。"))
        return
    if not ok(calc.attended, calc.entitled, q):
        problems.append(
            (
                "attended",
                f"出席 {calc.attended} 人，{word}应到 {calc.entitled} 人的{frac_text(q)}，会议不能召开（{law}）。",
            )
        )
        return
    if calc.votes is None:
        return
    base = calc.entitled if majority_of_entitled else calc.attended
    whose = "应到会有表决权的" if majority_of_entitled else "到会"
    if not share_more_than(calc.votes[0], base, m):
        problems.append(
            (
                "votes_for",
                f"赞成 {calc.votes[0]} 票，未过{whose} {base} 人的{frac_text(m)}，未通过（{law}）。",
            )
        )
        return
    calc.rule_text = (
        f"应到 {calc.entitled}，出席 {calc.attended}（{'过' if quorum_strict else '达到'}{frac_text(q)}）；"
        f"赞成 {calc.votes[0]}，过{whose}人数{frac_text(m)}"
    )


def _two_thirds(problems: list, calc: Calc, org: Org, members: int, what: str) -> None:
    if calc.votes is None or problems:
        return
    t = rule("decisions.two_thirds_all", org)
    if not share_at_least(calc.votes[0], members, t):
        problems.append(
            (
                "votes_for",
                f"赞成 {calc.votes[0]} 票，未达到{what} {members} 人的{frac_text(t)}（承包方案及其调整须全体"
                f"{frac_text(t)}以上同意，不是到会人数；农村土地承包法 第二十八条、第五十二条）。",
            )
        )
    else:
        calc.rule_text += f"；赞成达到{what}{members}人的{frac_text(t)}"


def _assembly(problems: list, matter: Matter, data: dict, on: dt.date) -> Calc | None:
    org, village = matter.org, matter.village
    community = village.kind == "community"
    assembly = data.get("assembly") or ""
    if assembly not in ASSEMBLIES:
        problems.append(("assembly", "会议：请选择村民会议或村民代表会议。"))
        return None
    if assembly == "representatives" and matter.assembly_only:
        problems.append(
            ("assembly", f"会议：“{matter.kind_name}”只能由{'居民' if community else '村民'}会议决定。")
        )
        return None
    if assembly == "representatives":
        reps = queries.representative_persons(village.pk, on)
        body = reps | queries.villagers_committee_persons(village.pk, on)
        calc = Calc(MeetingKind.REPRESENTATIVES, entitled=len(body))
        calc.attendee_ids = _persons(problems, data, body, "村民代表会议组成人员（村民委员会成员和村民代表）")
        if problems:
            return None
        calc.attended = len(calc.attendee_ids)
        calc.votes = _votes(problems, data, calc.attended)
        if problems:
            return None
        _quorum_majority(
            problems,
            calc,
            org,
            quorum_key="decisions.representatives_quorum",
            quorum_strict=False,
            majority_key="decisions.representatives_majority",
            law="村民委员会组织法 第二十六条",
        )
        if matter.two_thirds_all:
            _two_thirds(problems, calc, org, len(reps), "全体村民代表")
        return calc
    # 村民会议 (居民会议): the notice, the base, the two (three) routes
    notice_on = _date(data.get("notice_on"))
    days = rule("decisions.notice_days", org)
    if notice_on is None:
        problems.append(("notice_on", "通知日期：召开村民会议须提前通知，请填写通知发布日期。"))
        return None
    if (on - notice_on).days < days:
        problems.append(
            (
                "notice_on",
                f"通知日期：{notice_on:%Y-%m-%d}通知、{on:%Y-%m-%d}开会，只提前{(on - notice_on).days}天，"
                f"应至少提前{days}天（村民委员会组织法 第二十一条）。",
            )
        )
        return None
    base = queries.quorum_base(village, on)
    if base.kind == "none":
        problems.append(
            ("attended", "出席基数：本村未在网格住户中登记村民，也未录入户籍人口数，无法计算应到人数。")
        )
        return None
    attended = _int(data.get("attended"))
    if attended is None or attended < 0:
        problems.append(("attended", "到会人数：请填写人数（非负整数）。"))
        return None
    raw_h = data.get("households")
    households = 0 if raw_h in (None, "") else _int(raw_h)
    if households is None or households < 0:
        problems.append(("households", "到会户代表：请填写户数（非负整数）。"))
        return None
    if households > base.households:
        problems.append(("households", f"到会户代表：{households}户，多于本村{base.households}户。"))
        return None
    if attended > base.adults and not community:
        problems.append(("attended", f"到会人数：{attended}人，多于本村十八周岁以上村民{base.adults}人。"))
        return None
    votes = _votes(problems, data, attended)
    if votes is None:
        return None
    source = f"{'网格住户登记' if base.kind == 'residents' else '户籍人口数：' + base.source}" + (
        f"（{base.as_of:%Y-%m-%d}）" if base.as_of else ""
    )
    law = "城市居民委员会组织法 第十条" if community else "村民委员会组织法 第二十二条"
    calc = Calc(MeetingKind.VILLAGERS, attended=attended, votes=votes, base_source=source)
    if community:
        q = rule("decisions.residents_quorum", org)
        m = rule("decisions.residents_majority", org)
        route = data.get("route") or "adults"
        if route not in ROUTES:
            problems.append(("route", "出席方式：请选择十八周岁以上居民、户的代表或居民小组代表。"))
            return None
        if route == "groups":
            entitled = _int(data.get("group_reps"))
            if entitled is None or entitled <= 0:
                problems.append(("group_reps", "居民小组代表：请填写各居民小组选举的代表人数。"))
                return None
            present, calc.base = attended, Base.GROUPS
        elif route == "households":
            entitled, present, calc.base = base.households, households, Base.HOUSEHOLDS
        else:
            entitled, present, calc.base = base.adults, attended, Base.ADULTS
        calc.entitled = entitled
        if not share_more_than(present, entitled, q):
            unit = "户" if route == "households" else "人"
            problems.append(
                (
                    "attended",
                    f"出席 {present} {unit}，未过应到 {entitled} {unit}的{frac_text(q)}，会议不能举行（{law}）。",
                )
            )
            return None
        if not share_more_than(votes[0], attended, m):
            problems.append(
                (
                    "votes_for",
                    f"赞成 {votes[0]} 票，未过出席 {attended} 人的{frac_text(m)}，未通过（{law}）。",
                )
            )
            return None
        calc.rule_text = (
            f"应到 {entitled}，出席 {present}（过{frac_text(q)}）；赞成 {votes[0]}，过出席人数{frac_text(m)}"
        )
        if matter.two_thirds_all:
            _two_thirds(problems, calc, org, entitled, "全体成员")
        return calc
    qa = rule("decisions.villagers_quorum_adults", org)
    qh = rule("decisions.villagers_quorum_households", org)
    m = rule("decisions.villagers_majority", org)
    by_adults = base.adults > 0 and share_more_than(attended, base.adults, qa)
    by_households = base.households > 0 and share_at_least(households, base.households, qh)
    if by_adults:
        calc.base, calc.entitled = Base.ADULTS, base.adults
        members, what = base.adults, "本村十八周岁以上村民"
        quorum_words = f"出席 {attended} 人，过十八周岁以上村民 {base.adults} 人的{frac_text(qa)}"
    elif by_households:
        calc.base, calc.entitled = Base.HOUSEHOLDS, base.households
        members, what = base.households, "本村户"
        quorum_words = f"户的代表 {households} 户，达到本村 {base.households} 户的{frac_text(qh)}"
    else:
        problems.append(
            (
                "attended",
                f"出席 {attended} 人，未过应到 {base.adults} 人（十八周岁以上村民）的{frac_text(qa)}；"
                f"户的代表 {households} 户，未达到本村 {base.households} 户的{frac_text(qh)}；会议不能召开（{law}）。",
            )
        )
        return None
    if not share_more_than(votes[0], attended, m):
        problems.append(
            ("votes_for", f"赞成 {votes[0]} 票，未过到会 {attended} 人的{frac_text(m)}，未通过（{law}）。")
        )
        return None
    calc.rule_text = f"{quorum_words}；赞成 {votes[0]}，过到会人数{frac_text(m)}"
    if matter.two_thirds_all:
        _two_thirds(problems, calc, org, members, what)
    return calc


def _meeting(problems: list, matter: Matter, action: str, data: dict, on: dt.date) -> Calc | None:
    org, village = matter.org, matter.village
    kind = MEETING_OF.get(action)
    if kind == "consultation":
        raw = data.get("attended")
        n = 0 if raw in (None, "") else _int(raw)
        if n is None or n < 0:
            problems.append(("attended", "征求意见人数：请填写人数（非负整数）。"))
            return None
        if not (data.get("minutes") or "").strip():
            problems.append(("minutes", "会议记录：请记录征求到的意见。"))
            return None
        return Calc(MeetingKind.CONSULTATION, attended=n, votes=None, rule_text=f"征求意见 {n} 人次")
    if kind in ("party_committee", "joint"):
        if kind == "party_committee":
            allowed = queries.party_committee_persons(village.pk, on)
            what, law = "村党组织委员会委员", "村党组织提议"
        else:
            allowed = queries.committee_persons(village, on)
            what, law = "两委成员", "两委会议商议"
        calc = Calc(kind, entitled=len(allowed))
        calc.attendee_ids = _persons(problems, data, allowed, what)
        if problems:
            return None
        calc.attended = len(calc.attendee_ids)
        calc.votes = _votes(problems, data, calc.attended)
        if problems:
            return None
        _quorum_majority(
            problems,
            calc,
            org,
            quorum_key="decisions.committee_quorum",
            quorum_strict=True,
            majority_key="decisions.committee_quorum",
            law=law,
        )
        return calc
    if kind == "members":
        memberships = people_queries.memberships_on(on).filter(org__path__startswith=org.path)
        rows = list(memberships.values_list("member__person_id", "member__full_on"))
        everyone = {p for p, _f in rows}
        full = {p for p, f in rows if f is not None and f <= on}
        calc = Calc(MeetingKind.MEMBERS, entitled=len(full))
        ids = _persons(problems, data, everyone, f"{org.name}的党员")
        if problems:
            return None
        calc.attendee_ids = ids
        calc.attended = len([i for i in ids if i in full])  # probationary members attend, never count
        calc.votes = _votes(problems, data, calc.attended)
        if problems:
            return None
        _quorum_majority(
            problems,
            calc,
            org,
            quorum_key="decisions.members_quorum",
            quorum_strict=True,
            majority_key="decisions.members_majority",
            majority_of_entitled=True,
            law="党员大会：预备党员不计入到会人数、不表决",
        )
        return calc
    if kind == "township":
        calc = Calc(MeetingKind.TOWNSHIP, votes=None, passed=action == "township_approve")
        calc.rule_text = "乡镇（街道）审核同意" if calc.passed else "乡镇（街道）否决"
        return calc
    if kind == "assembly":
        return _assembly(problems, matter, data, on)
    if kind == "disclosure":
        if action == "implement" and not (data.get("minutes") or "").strip():
            problems.append(("minutes", "实施结果：请填写实施结果。"))
            return None
        return Calc(
            MeetingKind.DISCLOSURE,
            votes=None,
            rule_text="决议公开" if action == "disclose" else "实施结果公开",
        )
    return None


def _evaluate(matter: Matter, instance: WorkflowInstance, actor, data: dict) -> tuple[list, Calc | None]:
    problems: list[tuple[str, str]] = []
    spec = workflows.spec_of(instance.definition)
    action = data.get("action") or ""
    t = spec.transition(action)
    if t is None or instance.state not in t.sources:
        state = spec.state(instance.state)
        label = t.label if t is not None else action
        return [("action", f"当前环节“{state.label}”不能“{label}”。")], None
    perm = REVIEW if action.startswith("township_") else RECORD
    if not can_access_org(actor, perm, matter.org):
        who = "乡镇（街道）党（工）委" if perm == REVIEW else f"{matter.org.name}（或其上级党组织）"
        return [("action", f"只有{who}可以办理“{t.label}”。")], None
    if t.generic:
        return problems, None
    on = _date(data.get("held_on"))
    if on is None:
        return [("held_on", "日期：请填写日期。")], None
    if on > _today():
        return [("held_on", "日期：不能晚于今天。")], None
    last = _last_meeting_on(matter)
    if on < last:
        return [("held_on", f"日期：不能早于上一环节（{last:%Y-%m-%d}）。")], None
    if action in ENDING:
        if not (data.get("reason") or "").strip():
            field_name = "reason"
            return [(field_name, "理由：终止或否决须写明理由。")], None
        if action == "reject":
            return problems, None
    calc = _meeting(problems, matter, action, data, on)
    return problems, calc


def evaluate(matter: Matter, instance: WorkflowInstance, actor, data: dict) -> list[tuple[str, str]]:
    """The problems of ``data`` as a stage of ``matter`` (the matter's page asks with no data)."""
    return _evaluate(matter, instance, actor, data)[0]


def stage_problems(instance: WorkflowInstance, actor, data: dict) -> list[tuple[str, str]]:
    """Every reason the stage in ``data`` cannot be recorded now, as (field, message); the rules are
    read from the pack at the village's organisation. The workflow's guard and ``record_stage``
    both call it."""
    matter = _matter_of(instance)
    return _evaluate(matter, instance, actor, data)[0]


def record_stage(*, actor, matter: Matter, stage: StageIn, uploads=()) -> Meeting | None:
    """Record one stage: refused with every rule it breaks (nothing changed), or written — the
    meeting with its computed counts, the matter's dates, the disclosure at the two 公开 stages and
    the workflow's move. Returns the meeting (None for a local stage or a rejection)."""
    if not can_access_org(actor, RECORD, matter.org) and not can_access_org(actor, REVIEW, matter.org):
        raise NotFound()
    instance = instance_of(matter)
    errors = ErrorCollector()
    minutes = _text(errors, "minutes", "会议记录", stage.minutes, 5000)
    reason = _text(errors, "reason", "理由", stage.reason, 300)
    names = _text(errors, "names", "公开须列明的姓名", stage.names, 500)
    cleaned = []
    uploads = list(uploads or [])
    if len(uploads) > MAX_PHOTOS:
        errors.add("photos", f"照片：最多{MAX_PHOTOS}张。")
    else:
        for up in uploads:
            try:
                cleaned.append(photos.clean_image(up, field="photos", label="会议照片"))
            except DomainError as exc:
                for f, msgs in exc.errors.items():
                    for msg in msgs:
                        errors.add(f, msg)
    if any(ch.isdigit() for ch in names):
        errors.add("names", "公开须列明的姓名：只写姓名或单位名称，不写身份证号或电话。")
    if not isinstance(stage.attendee_ids, list | tuple):
        errors.add("attendee_ids", "到会人员：请从名单中选择。")
    errors.raise_if_any()
    data = _json({**asdict(stage), "minutes": minutes, "reason": reason, "names": names})
    problems, calc = _evaluate(matter, instance, actor, data)
    for f, msg in problems:
        errors.add(f, msg)
    errors.raise_if_any()
    saved: list[str] = []
    try:
        with transaction.atomic():
            meeting = _write(
                actor, matter, instance, stage, data, calc, minutes, reason, names, cleaned, saved
            )
    except BaseException:
        for name in saved:
            photos.delete(name)
        raise
    return meeting


def _write(
    actor, matter, instance, stage, data, calc, minutes, reason, names, cleaned, saved
) -> Meeting | None:
    spec = workflows.spec_of(instance.definition)
    t = spec.transition(stage.action)
    assert t is not None
    on = _date(data.get("held_on"))
    meeting = None
    changes: dict[str, list] = {}
    if calc is not None and on is not None:
        votes = calc.votes or (None, None, None)
        meeting = Meeting.objects.create(
            matter=matter,
            action=stage.action,
            label=t.label,
            kind=calc.kind,
            held_on=on,
            notice_on=_date(data.get("notice_on")) if calc.kind == MeetingKind.VILLAGERS else None,
            base=calc.base,
            base_source=calc.base_source[:200],
            entitled=calc.entitled,
            attended=calc.attended,
            votes_for=votes[0],
            votes_against=votes[1],
            votes_abstain=votes[2],
            passed=calc.passed,
            rule_text=calc.rule_text[:500],
            minutes=minutes or reason,
            names=names,
            recorded_by=actor,
        )
        if calc.attendee_ids:
            meeting.attendees.set(calc.attendee_ids)
        for img in cleaned:
            saved.append(photos.save(img, kind=PHOTO_KIND))
            MeetingPhoto.objects.create(meeting=meeting, name=saved[-1], content_type=img.content_type)
        changes = {
            "held_on": [None, on.isoformat()],
            "entitled": [None, calc.entitled],
            "attended": [None, calc.attended],
        }
        if calc.votes:
            changes.update(
                votes_for=[None, votes[0]], votes_against=[None, votes[1]], votes_abstain=[None, votes[2]]
            )
    update = ["stage", "stage_label"]
    if stage.action == "resolve":
        matter.outcome, matter.decided_on = Outcome.DECIDED, on
        update += ["outcome", "decided_on"]
    elif stage.action == "disclose":
        matter.disclosed_on = on
        update.append("disclosed_on")
    elif stage.action == "implement":
        matter.result_on = on
        update.append("result_on")
    elif stage.action in ENDING:
        matter.outcome = Outcome.VETOED if stage.action == "township_veto" else Outcome.REJECTED
        matter.end_reason = reason
        update += ["outcome", "end_reason"]
        changes["reason"] = [None, reason]
    matter.stage, matter.stage_label = t.target, spec.state(t.target).label
    matter.save(update_fields=update)
    if stage.action in ("disclose", "implement") and meeting is not None:
        _publish(actor, matter, meeting)
    workflows.transition(
        actor=actor,
        instance=instance,
        action=stage.action,
        data={**data, "_meeting": meeting.pk if meeting else None},
        target=matter,
        audit_action="decisions_stage",
        changes={"stage": [None, t.label], **changes},
        org_path=matter.org.path,
    )
    return meeting


def split_names(text: str) -> list[str]:
    return [
        n.strip()
        for n in text.replace("，", ",").replace("、", ",").replace("；", ",").split(",")
        if n.strip()
    ]


def _publish(actor, matter: Matter, meeting: Meeting) -> None:
    """The disclosure item (四务公开, village affairs, a major matter), in the caller's transaction."""
    from django.apps import apps

    if not apps.is_installed("jiceng.disclosure"):
        return
    try:
        from jiceng.disclosure import services as disclosure_services
    except ImportError:  # not written yet
        return
    publish = getattr(disclosure_services, "publish", None)
    if publish is None:
        return
    if meeting.action == "disclose":
        title = f"决议公开：{matter.title}"
        lines = [f"事项类型：{matter.kind_name}"]
        for m in matter.meetings.all():
            counts = f"应到{m.entitled}，实到{m.attended}" if m.entitled or m.attended else ""
            votes = (
                f"，赞成{m.votes_for}、反对{m.votes_against}、弃权{m.votes_abstain}"
                if m.votes_for is not None
                else ""
            )
            lines.append(f"{m.held_on:%Y-%m-%d} {m.label}{('：' + counts + votes) if counts else ''}")
        body = "\n".join(lines)
    else:
        title = f"实施结果公开：{matter.title}"
        body = meeting.minutes
    names = split_names(meeting.names)
    publish(
        actor=actor,
        org=matter.org,
        affair="village",
        title=title[:100],
        body=body[:5000],
        published_on=meeting.held_on,
        major=True,
        source=f"decisions.matter:{matter.pk}",
        link=f"/public/decisions/{matter.pk}/",
        names=names or None,
        display_days=rule("decisions.display_days", matter.org) if names else None,
    )


# --- rosters, the population figure, demands ---------------------------------------------------


def _village_org(actor, village: Area | None, errors: ErrorCollector, perm: str = RECORD) -> Org | None:
    if village is None or village.kind not in VILLAGE_KINDS:
        errors.add("village", "村（社区）：请选择一个村或社区。")
        return None
    org = queries.village_org(village)
    if org is None or not can_access_org(actor, perm, org):
        raise NotFound()
    return org


def seat_add(
    *,
    actor,
    village: Area | None,
    body: str,
    person_id: Any,
    since: dt.date | None,
    group_name: str = "",
    households: Any = None,
) -> Seat:
    """Seat a resident of the village on its 村务监督委员会 or as a 村民代表."""
    errors = ErrorCollector()
    org = _village_org(actor, village, errors)
    if body not in Body.values:
        errors.add("body", "组织：请选择村务监督委员会或村民代表。")
    group_name = _text(errors, "group_name", "村民小组", group_name, 50)
    n_households: int | None = None
    if households not in (None, ""):
        n_households = _int(households)
        if n_households is None or not 0 < n_households <= 1000:
            errors.add("households", "推选户数：应为1至1000的整数。")
    if not isinstance(since, dt.date):
        errors.add("since", "起始日期：请填写日期。")
    elif since > _today():
        errors.add("since", "起始日期：不能晚于今天。")
    pid = _int(person_id)
    person = None
    if village is not None and pid is not None:
        person = people_queries.persons().filter(pk=pid, area__path__startswith=village.path).first()
    if person is None:
        errors.add("person_id", "人员：请选择本村（社区）的居民。")
    errors.raise_if_any()
    assert org is not None and village is not None and person is not None and isinstance(since, dt.date)
    if queries.seats_on(since).filter(village=village, body=body, person=person).exists():
        raise DomainError(field="person_id", message=f"人员：{person.name}当日已在此名单中。")
    with transaction.atomic():
        seat = Seat.objects.create(
            village=village,
            body=body,
            person=person,
            group_name=group_name,
            households=n_households,
            since=since,
        )
        audit.record(
            actor=actor,
            action="decisions_seat",
            target=seat,
            target_repr=f"{village.name} {seat.get_body_display()} {person.name}",
            org_path=org.path,
            changes={"body": [None, body], "person": [None, person.name], "since": [None, since.isoformat()]},
        )
    return seat


def seat_end(*, actor, seat: Seat, until: dt.date | None) -> Seat:
    errors = ErrorCollector()
    org = _village_org(actor, seat.village, errors)
    if not isinstance(until, dt.date):
        errors.add("until", "终止日期：请填写日期。")
    elif until <= seat.since:
        errors.add("until", f"终止日期：应晚于起始日期（{seat.since:%Y-%m-%d}）。")
    elif until > _today() + dt.timedelta(days=1):
        errors.add("until", "终止日期：不能晚于明天。")
    if seat.until is not None:
        errors.add("until", "终止日期：此席位已终止。")
    errors.raise_if_any()
    assert org is not None and isinstance(until, dt.date)
    with transaction.atomic():
        seat.until = until
        seat.save(update_fields=["until"])
        audit.record(
            actor=actor,
            action="decisions_seat",
            target=seat,
            org_path=org.path,
            changes={"until": [None, until.isoformat()]},
        )
    return seat


def population_set(
    *, actor, village: Area | None, adults: Any, households: Any, as_of: dt.date | None, source: str
) -> PopulationFigure:
    """Enter a village's registered population (adults, households) with its source and date."""
    errors = ErrorCollector()
    org = _village_org(actor, village, errors)
    n_adults, n_households = _int(adults), _int(households)
    if n_adults is None or not 0 < n_adults <= 1_000_000:
        errors.add("adults", "十八周岁以上村民：应为1至1000000的整数。")
    if n_households is None or not 0 < n_households <= 1_000_000:
        errors.add("households", "户数：应为1至1000000的整数。")
    if n_adults and n_households and n_households > n_adults:
        errors.add("households", "户数：不能多于十八周岁以上村民人数。")
    source = _text(errors, "source", "来源", source, 200, required=True)
    if not isinstance(as_of, dt.date):
        errors.add("as_of", "截至日期：请填写日期。")
    elif as_of > _today():
        errors.add("as_of", "截至日期：不能晚于今天。")
    errors.raise_if_any()
    assert (
        org is not None and village is not None and n_adults and n_households and isinstance(as_of, dt.date)
    )
    with transaction.atomic():
        fig = PopulationFigure.objects.create(
            village=village,
            adults=n_adults,
            households=n_households,
            as_of=as_of,
            source=source,
            entered_by=actor,
        )
        audit.record(
            actor=actor,
            action="decisions_population",
            target=fig,
            target_repr=f"{village.name} {as_of:%Y-%m-%d}",
            org_path=org.path,
            changes={
                "adults": [None, n_adults],
                "households": [None, n_households],
                "as_of": [None, as_of.isoformat()],
                "source": [None, source],
            },
        )
    return fig


def demand_record(
    *, actor, village: Area | None, by: str, subject: str, filed_on: dt.date | None, signatures: Any
) -> Demand:
    """A demand for a 村民会议 (第二十一条): 1/10 of the villagers or 1/3 of the representatives.
    Recorded whether or not it reaches the share; ``valid`` says which (a short one is kept too:
    the village must answer it)."""
    errors = ErrorCollector()
    org = _village_org(actor, village, errors)
    if by not in DemandBy.values:
        errors.add("by", "提议人：请选择村民或村民代表。")
    subject = _text(errors, "subject", "事由", subject, 200, required=True)
    n = _int(signatures)
    if n is None or not 0 < n <= 1_000_000:
        errors.add("signatures", "签名人数：应为1至1000000的整数。")
    if not isinstance(filed_on, dt.date):
        errors.add("filed_on", "提议日期：请填写日期。")
    elif filed_on > _today():
        errors.add("filed_on", "提议日期：不能晚于今天。")
    errors.raise_if_any()
    assert org is not None and village is not None and n is not None and isinstance(filed_on, dt.date)
    if by == DemandBy.VILLAGERS:
        qb = queries.quorum_base(village, filed_on)
        base, frac = qb.adults, rule("decisions.demand_villagers", org)
        if qb.kind == "none":
            raise DomainError(
                field="signatures", message="签名人数：本村未登记村民，也未录入户籍人口数，无法核对比例。"
            )
    else:
        base, frac = (
            len(queries.representative_persons(village.pk, filed_on)),
            rule("decisions.demand_representatives", org),
        )
        if base == 0:
            raise DomainError(
                field="signatures", message="签名人数：本村当日没有登记的村民代表，无法核对比例。"
            )
    if n > base:
        raise DomainError(field="signatures", message=f"签名人数：{n}人，多于基数{base}人。")
    valid = share_at_least(n, base, frac)
    with transaction.atomic():
        demand = Demand.objects.create(
            village=village,
            org=org,
            by=by,
            subject=subject,
            filed_on=filed_on,
            signatures=n,
            base=base,
            valid=valid,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="decisions_demand",
            target=demand,
            org_path=org.path,
            changes={"signatures": [None, n], "valid": [None, valid]},
        )
    return demand


def demand_words(demand: Demand) -> str:
    frac = rule(
        "decisions.demand_villagers"
        if demand.by == DemandBy.VILLAGERS
        else "decisions.demand_representatives",
        demand.org,
    )
    who = "村民" if demand.by == DemandBy.VILLAGERS else "村民代表"
    verdict = "达到" if demand.valid else "未达到"
    return f"{demand.signatures}名{who}签名，{verdict}{demand.base}人的{frac_text(frac)}（村民委员会组织法 第二十一条）"
