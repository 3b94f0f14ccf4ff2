"""The village's and township's routine work around residents' requests (the MANAGE_DUTY right):

* the duty roster (每天都有专人值班): who is on duty at a service point on a day;
* the monthly dispute routine (月排查、月例会、月报告, 004-P3): the month's screening findings and
  the meeting of the community's forces;
* the three lists (三张清单, 000-R3): needs, resources and the projects made from them, closed
  item by item (挂账销号) through their milestones.

Same rules as services.py: everything checked first (a refused call changes nothing), scoped (an
area out of the actor's reach is NotFound), one transaction, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiceng.core import audit
from jiceng.core.boundary import date_problem
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Area, User
from jiceng.core.scoping import can_access_area

from . import queries, routine_selectors
from .models import (
    Case,
    DisputeRoutine,
    DutyShift,
    ListItem,
    ListItemKind,
    Milestone,
    ResourceKind,
    ScreeningItem,
    Severity,
)
from .plugin import MANAGE_DUTY
from .services import _int_id, _text

SERVICE_POINT_KINDS = ("village", "community", "township", "subdistrict")
VILLAGE_KINDS = ("village", "community")
ROSTER_PAST_DAYS = 31  # a roster is kept up to a month back (a forgotten day entered late) …
ROSTER_AHEAD_DAYS = 62  # … and planned up to two months ahead
ROUTINE_MONTHS_BACK = 24  # a month's routine may be completed up to two years later
# who takes part in the monthly meeting (004-P3: 两委、驻社区民警、综治专干、城管、工会、妇联、网格管理员、社工、志愿者)
ATTENDEE_ROLES = ("两委", "驻社区民警", "综治专干", "城管", "工会", "妇联", "网格管理员", "社工", "志愿者")
NOTHING_FOUND = "本月排查未发现矛盾纠纷"  # the finding recorded for a month screened with nothing found
MAX_MILESTONES = 20
KIND_ZH: dict[str, str] = {
    ListItemKind.NEED: "需求",
    ListItemKind.RESOURCE: "资源",
    ListItemKind.PROJECT: "项目",
}


def _org_path(area: Area) -> str:
    org = queries.org_for_area(area)
    return org.path if org else ""


def _reach(actor, area: Area, kinds: Sequence[str]) -> Area:
    """``area`` if the actor keeps its routine work, of one of ``kinds``; NotFound otherwise (an
    area of the wrong kind out of scope tells nothing either)."""
    if area is None or not can_access_area(actor, MANAGE_DUTY, area):
        raise NotFound()
    if area.kind not in kinds:
        label = (
            "服务站点：应为村（社区）或乡镇（街道）。"
            if "township" in kinds
            else "村（社区）：应为村或社区。"
        )
        raise DomainError(field="area", message=label)
    return area


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _check_month(errors: ErrorCollector, month: dt.date | None) -> dt.date | None:
    if month is None:
        errors.add("month", "月份：必填。")
        return None
    month = first_of_month(month)
    this = first_of_month(timezone.localdate())
    oldest = first_of_month(this - dt.timedelta(days=ROUTINE_MONTHS_BACK * 31))
    if month > this:
        errors.add("month", "月份：不能晚于本月。")
    elif month < oldest:
        errors.add("month", f"月份：最早可补记{ROUTINE_MONTHS_BACK}个月前（{oldest:%Y年%m月}）。")
    return month


# --- the duty roster ---------------------------------------------------------------------------------


@transaction.atomic
def add_shift(*, actor, area: Area, on: dt.date | None, user_id: Any) -> DutyShift:
    """Put someone on duty at a service point on a day. They hold a role on an organisation anchored
    at the service point or the area above it (a village's cadres, the township's officers); the day
    is within a month back and two months ahead; the same person twice on one day is refused."""
    area = _reach(actor, area, SERVICE_POINT_KINDS)
    errors = ErrorCollector()
    today = timezone.localdate()
    if on is None:
        errors.add("on", "值班日期：必填。")
    elif (
        not today - dt.timedelta(days=ROSTER_PAST_DAYS) <= on <= today + dt.timedelta(days=ROSTER_AHEAD_DAYS)
    ):
        errors.add("on", f"值班日期：应在今天前{ROSTER_PAST_DAYS}天至今天后{ROSTER_AHEAD_DAYS}天之间。")
    user: User | None = None
    pk = _int_id(user_id)
    if pk is None:
        errors.add("user", "值班人员：必选。")
    else:
        user = routine_selectors.duty_candidates(actor=actor, area=area).filter(pk=pk).first()
        if user is None:
            errors.add("user", f"值班人员：应为在{area.name}或其上级党组织任职的人员。")
    if user is not None and on is not None and DutyShift.objects.filter(area=area, on=on, user=user).exists():
        errors.add("user", f"值班人员：{user}在{on:%Y-%m-%d}已在{area.name}值班。")
    errors.raise_if_any()
    assert user is not None and on is not None
    shift = DutyShift.objects.create(area=area, on=on, user=user)
    audit.record(
        actor=actor,
        action="duty_add",
        target=shift,
        target_repr=f"{area.name} {on:%Y-%m-%d} {user}",
        org_path=_org_path(area),
        changes={
            "service_point": [None, area.name],
            "duty_date": [None, on.isoformat()],
            "on_duty": [None, str(user)],
        },
    )
    return shift


@transaction.atomic
def remove_shift(*, actor, shift: DutyShift) -> None:
    """Take someone off the roster; a day more than a month past stays as it was (the record of who
    was on duty)."""
    area = _reach(actor, shift.area, SERVICE_POINT_KINDS)
    today = timezone.localdate()
    if shift.on < today - dt.timedelta(days=ROSTER_PAST_DAYS):
        raise DomainError(field="on", message=f"值班日期：{ROSTER_PAST_DAYS}天以前的值班记录不能删除。")
    who, on = str(shift.user), shift.on
    audit.record(
        actor=actor,
        action="duty_remove",
        target=shift,
        target_repr=f"{area.name} {on:%Y-%m-%d} {who}",
        org_path=_org_path(area),
        changes={
            "service_point": [area.name, None],
            "duty_date": [on.isoformat(), None],
            "on_duty": [who, None],
        },
    )
    shift.delete()


# --- the monthly dispute routine -------------------------------------------------------------------


def _routine(actor, area: Area, month: dt.date) -> DisputeRoutine:
    routine, _created = DisputeRoutine.objects.get_or_create(
        area=area, month=month, defaults={"created_by": actor}
    )
    return routine


def _case_in(actor, errors: ErrorCollector, area: Area, number: str) -> Case | None:
    number = (number or "").strip().upper()
    if not number:
        return None
    if len(number) > 16 or not number.isascii() or not number.isalnum():
        errors.add("case_number", "关联诉求编号：应为诉求的受理编号（字母和数字）。")
        return None
    found = routine_selectors.case_by_number(actor=actor, area=area, number=number)
    if found is None:
        errors.add("case_number", f"关联诉求编号：{area.name}没有编号为{number}的诉求。")
    return found


def _attendees(errors: ErrorCollector, roles: Iterable[str], others: str) -> str:
    chosen = [r for r in ATTENDEE_ROLES if r in set(roles)]
    unknown = [r for r in roles if r not in ATTENDEE_ROLES]
    if unknown:
        errors.add("attendees", "参加人员：请从所列力量中选择，其他人员写在“其他”中。")
    extra = _text(errors, "others", "其他参加人员", others, 200)
    for part in extra.replace("，", "、").replace(",", "、").split("、"):
        part = part.strip()
        if part and part not in chosen:
            chosen.append(part)
    if not chosen:
        errors.add("attendees", "参加人员：至少选择一方参加例会的力量。")
    text = "、".join(chosen)
    if len(text) > 500:
        errors.add("others", "其他参加人员：合计最多500个字符。")
    return text


@transaction.atomic
def record_meeting(
    *,
    actor,
    area: Area,
    month: dt.date | None,
    meeting_on: dt.date | None,
    attendees: Sequence[str] = (),
    others: str = "",
    minutes: str = "",
) -> DisputeRoutine:
    """月例会: the month's meeting of the community's forces (两委、驻社区民警、综治专干 …) on the
    disputes found; held within the month, not in the future. Recording it again corrects it."""
    area = _reach(actor, area, VILLAGE_KINDS)
    errors = ErrorCollector()
    month = _check_month(errors, month)
    if meeting_on is None:
        errors.add("meeting_on", "例会日期：必填。")
    elif meeting_on > timezone.localdate():
        errors.add("meeting_on", "例会日期：不能晚于今天。")
    elif month is not None and not month <= meeting_on <= _month_end(month):
        errors.add("meeting_on", f"例会日期：应在{month:%Y年%m月}内。")
    who = _attendees(errors, attendees, others)
    minutes = _text(errors, "minutes", "会议记录", minutes, 5000, required=True, multiline=True)
    errors.raise_if_any()
    assert month is not None and meeting_on is not None
    routine = _routine(actor, area, month)
    before = {"meeting_on": routine.meeting_on, "attendees": routine.attendees, "minutes": routine.minutes}
    routine.meeting_on, routine.attendees, routine.minutes = meeting_on, who, minutes
    routine.save(update_fields=["meeting_on", "attendees", "minutes", "updated_at"])
    changes = audit.diff(before, {"meeting_on": meeting_on, "attendees": who, "minutes": minutes})
    audit.record(
        actor=actor,
        action="routine_meeting",
        target=routine,
        target_repr=f"{area.name} {month:%Y年%m月}矛盾纠纷例会",
        org_path=_org_path(area),
        changes={"routine_month": [None, f"{month:%Y-%m}"], **changes},
    )
    return routine


@transaction.atomic
def add_screening(
    *,
    actor,
    area: Area,
    month: dt.date | None,
    description: str,
    parties: str = "",
    risk: str = Severity.NORMAL,
    case_number: str = "",
    resolved: bool = False,
) -> ScreeningItem:
    """月排查: one dispute (or risk of one) found in the month's screening, optionally the request
    it was filed as."""
    area = _reach(actor, area, VILLAGE_KINDS)
    errors = ErrorCollector()
    month = _check_month(errors, month)
    description = _text(errors, "description", "排查发现的矛盾纠纷", description, 300, required=True)
    parties = _text(errors, "parties", "当事人", parties, 100, name=True)
    if risk not in Severity.values:
        errors.add("risk", "风险等级：应为较小、一般、较大或重大。")
    case = _case_in(actor, errors, area, case_number)
    errors.raise_if_any()
    assert month is not None
    routine = _routine(actor, area, month)
    item = ScreeningItem.objects.create(
        routine=routine,
        description=description,
        parties=parties,
        risk=risk,
        case=case,
        resolved=bool(resolved),
    )
    audit.record(
        actor=actor,
        action="screening_add",
        target=item,
        target_repr=f"{area.name} {month:%Y年%m月}：{description[:40]}",
        org_path=_org_path(area),
        changes={
            "routine_month": [None, f"{month:%Y-%m}"],
            "description": [None, description],
            "risk": [None, risk],
            **({"case_number": [None, case.number]} if case else {}),
        },
    )
    return item


def screened_nothing(*, actor, area: Area, month: dt.date | None) -> ScreeningItem:
    """The month was screened and nothing was found: recorded as such (the month counts as screened)."""
    return add_screening(
        actor=actor, area=area, month=month, description=NOTHING_FOUND, risk=Severity.MINOR, resolved=True
    )


def _item_area(actor, item: ScreeningItem) -> Area:
    return _reach(actor, item.routine.area, VILLAGE_KINDS)


@transaction.atomic
def set_screening_resolved(*, actor, item: ScreeningItem, resolved: bool) -> ScreeningItem:
    area = _item_area(actor, item)
    resolved = bool(resolved)
    if item.resolved != resolved:
        item.resolved = resolved
        item.save(update_fields=["resolved"])
        audit.record(
            actor=actor,
            action="screening_update",
            target=item,
            target_repr=f"{area.name}：{item.description[:40]}",
            org_path=_org_path(area),
            changes={"resolved": [not resolved, resolved]},
        )
    return item


@transaction.atomic
def remove_screening(*, actor, item: ScreeningItem) -> None:
    area = _item_area(actor, item)
    audit.record(
        actor=actor,
        action="screening_remove",
        target=item,
        target_repr=f"{area.name}：{item.description[:40]}",
        org_path=_org_path(area),
        changes={"description": [item.description, None]},
    )
    item.delete()


# --- the three lists -------------------------------------------------------------------------------


def _amount(errors: ErrorCollector, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10") or amount != round(amount, 2):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.add("amount", "金额：应为非负金额（元，最多两位小数）。")
        return None
    return amount


def _listed(actor, item: ListItem, kinds: Sequence[str] | None = None) -> Area:
    area = _reach(actor, item.area, VILLAGE_KINDS)
    if kinds is not None and item.kind not in kinds:
        raise NotFound()
    return area


def _record_add(actor, item: ListItem, changes: dict) -> None:
    audit.record(
        actor=actor,
        action="list_add",
        target=item,
        target_repr=f"{item.area.name}·{KIND_ZH[item.kind]}：{item.title}",
        org_path=_org_path(item.area),
        changes={"kind": [None, item.kind], "title": [None, item.title], **changes},
    )


@transaction.atomic
def add_need(*, actor, area: Area, title: str, detail: str = "", case_number: str = "") -> ListItem:
    """需求清单: what the residents need (from visits, requests, the council's deliberation)."""
    area = _reach(actor, area, VILLAGE_KINDS)
    errors = ErrorCollector()
    title = _text(errors, "title", "需求", title, 100, required=True)
    detail = _text(errors, "detail", "具体情况", detail, 500, multiline=True)
    case = _case_in(actor, errors, area, case_number)
    errors.raise_if_any()
    item = ListItem.objects.create(
        area=area, kind=ListItemKind.NEED, title=title, detail=detail, case=case, created_by=actor
    )
    _record_add(actor, item, {"case_number": [None, case.number]} if case else {})
    return item


@transaction.atomic
def add_resource(
    *,
    actor,
    area: Area,
    title: str,
    resource_kind: str,
    offered_by: str,
    detail: str = "",
    amount: Any = None,
) -> ListItem:
    """资源清单: people, skills, rooms, money or materials a unit or a member offers."""
    area = _reach(actor, area, VILLAGE_KINDS)
    errors = ErrorCollector()
    title = _text(errors, "title", "资源", title, 100, required=True)
    detail = _text(errors, "detail", "具体情况", detail, 500, multiline=True)
    if resource_kind not in ResourceKind.values:
        errors.add("resource_kind", "资源类型：应为人员、技能、场地、资金或物资。")
    offered_by = _text(errors, "offered_by", "提供单位或党员", offered_by, 100, required=True, name=True)
    money = _amount(errors, amount)
    if resource_kind == ResourceKind.MONEY and money is None and "amount" not in errors.errors:
        errors.add("amount", "金额：资金类资源须写明金额（元）。")
    errors.raise_if_any()
    item = ListItem.objects.create(
        area=area,
        kind=ListItemKind.RESOURCE,
        title=title,
        detail=detail,
        resource_kind=resource_kind,
        offered_by=offered_by,
        amount=money,
        created_by=actor,
    )
    _record_add(actor, item, {"resource_kind": [None, resource_kind], "offered_by": [None, offered_by]})
    return item


def _milestones(
    errors: ErrorCollector, rows: Iterable[tuple[str, dt.date | None]], *, start: int = 1
) -> list[tuple[str, dt.date]]:
    out: list[tuple[str, dt.date]] = []
    for i, (title, due_on) in enumerate(rows, start=start):
        title = (title or "").strip()
        if not title and due_on is None:
            continue  # a blank row
        label = f"第{i}个节点"
        title = _text(errors, f"milestone_{i}", f"{label}名称", title, 100, required=True)
        if due_on is None:
            errors.add(f"milestone_{i}", f"{label}完成时限：必填。")
        elif problem := date_problem(due_on, label=f"{label}完成时限", kind="near"):
            errors.add(f"milestone_{i}", problem)
        elif title:
            out.append((title, due_on))
    return out


@transaction.atomic
def add_project(
    *,
    actor,
    area: Area,
    title: str,
    source_ids: Sequence[Any],
    milestones: Sequence[tuple[str, dt.date | None]],
    detail: str = "",
) -> ListItem:
    """项目清单: a project made from at least one open need of the village (and the resources put to
    it), with the milestones it is closed by (挂账销号)."""
    area = _reach(actor, area, VILLAGE_KINDS)
    errors = ErrorCollector()
    title = _text(errors, "title", "项目名称", title, 100, required=True)
    detail = _text(errors, "detail", "实施内容", detail, 500, multiline=True)
    ids = {pk for pk in (_int_id(x) for x in source_ids) if pk is not None}
    sources = list(routine_selectors.open_sources(actor=actor, area=area).filter(pk__in=ids)) if ids else []
    if len(sources) != len(ids) or len(ids) != len(source_ids):
        errors.add("sources", "需求和资源：只能选本村（社区）尚未销号的需求和资源。")
    elif not any(s.kind == ListItemKind.NEED for s in sources):
        errors.add("sources", "需求和资源：项目须至少对应一项需求。")
    rows = _milestones(errors, milestones)
    if not rows and not any(k.startswith("milestone_") for k in errors.errors):
        errors.add("milestones", "项目节点：至少填写一个节点及其完成时限，项目按节点销号。")
    elif len(rows) > MAX_MILESTONES:
        errors.add("milestones", f"项目节点：最多{MAX_MILESTONES}个。")
    errors.raise_if_any()
    project = ListItem.objects.create(
        area=area, kind=ListItemKind.PROJECT, title=title, detail=detail, created_by=actor
    )
    project.sources.set(sources)
    Milestone.objects.bulk_create([Milestone(project=project, title=t, due_on=d) for t, d in rows])
    _record_add(
        actor,
        project,
        {
            "sources": [None, "、".join(s.title for s in sources)],
            "milestones": [None, "、".join(f"{t}（{d:%Y-%m-%d}）" for t, d in rows)],
        },
    )
    return project


def _open_project(actor, project: ListItem) -> Area:
    area = _listed(actor, project, (ListItemKind.PROJECT,))
    if project.closed_on is not None:
        raise DomainError(field="project", message="项目：已销号，不能再修改。")
    return area


@transaction.atomic
def add_milestone(*, actor, project: ListItem, title: str, due_on: dt.date | None) -> Milestone:
    area = _open_project(actor, project)
    errors = ErrorCollector()
    n = project.milestones.count()
    rows = _milestones(errors, [(title, due_on)], start=n + 1)
    if not rows and not errors:
        errors.add("title", "节点名称：必填。")
    if n >= MAX_MILESTONES:
        errors.add("title", f"项目节点：最多{MAX_MILESTONES}个。")
    # the form's fields are ``title`` and ``due_on``: the messages go next to them
    errors.errors = {("title" if k.startswith("milestone_") else k): v for k, v in errors.errors.items()}
    errors.raise_if_any()
    milestone = Milestone.objects.create(project=project, title=rows[0][0], due_on=rows[0][1])
    audit.record(
        actor=actor,
        action="milestone_add",
        target=project,
        target_repr=f"{area.name}·项目：{project.title}",
        org_path=_org_path(area),
        changes={"milestone": [None, f"{milestone.title}（{milestone.due_on:%Y-%m-%d}）"]},
    )
    return milestone


@transaction.atomic
def complete_milestone(*, actor, milestone: Milestone, done_on: dt.date | None = None) -> Milestone:
    project = milestone.project
    area = _open_project(actor, project)
    today = timezone.localdate()
    done_on = done_on or today
    started = timezone.localtime(project.created_at).date()
    if milestone.done_on is not None:
        raise DomainError(field="done_on", message="完成日期：该节点已完成。")
    if done_on > today or done_on < started:
        raise DomainError(
            field="done_on", message=f"完成日期：应在项目建立（{started:%Y-%m-%d}）之后，且不晚于今天。"
        )
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    audit.record(
        actor=actor,
        action="milestone_done",
        target=project,
        target_repr=f"{area.name}·项目：{project.title}",
        org_path=_org_path(area),
        changes={"milestone": [None, milestone.title], "done_on": [None, done_on.isoformat()]},
    )
    return milestone


@transaction.atomic
def close_project(*, actor, project: ListItem) -> ListItem:
    """挂账销号: a project closes only when every milestone is done; the needs it was made from close
    with it."""
    area = _open_project(actor, project)
    left = project.milestones.filter(done_on__isnull=True).count()
    if left:
        raise DomainError(field="project", message=f"项目销号：还有{left}个节点未完成，全部完成后才能销号。")
    if not project.milestones.exists():
        raise DomainError(field="project", message="项目销号：项目没有节点，请先填写并完成节点。")
    today = timezone.localdate()
    project.closed_on = today
    project.save(update_fields=["closed_on"])
    needs = list(project.sources.filter(kind=ListItemKind.NEED, closed_on__isnull=True))
    for need in needs:
        need.closed_on = today
        need.closing_note = f"项目“{project.title}”已销号"  # a title is ≤ 100 characters
        need.save(update_fields=["closed_on", "closing_note"])
        audit.record(
            actor=actor,
            action="list_close",
            target=need,
            target_repr=f"{area.name}·需求：{need.title}",
            org_path=_org_path(area),
            changes={
                "closed_on": [None, today.isoformat()],
                "closure_reason": [None, need.closing_note],
            },
        )
    audit.record(
        actor=actor,
        action="list_close",
        target=project,
        target_repr=f"{area.name}·项目：{project.title}",
        org_path=_org_path(area),
        changes={"closed_on": [None, today.isoformat()]},
    )
    return project


@transaction.atomic
def close_item(*, actor, item: ListItem, reason: str) -> ListItem:
    """A need (met some other way, withdrawn) or a resource (used up, withdrawn) closed by hand,
    with the reason; a project closes only through its milestones (close_project)."""
    area = _listed(actor, item, (ListItemKind.NEED, ListItemKind.RESOURCE))
    errors = ErrorCollector()
    reason = _text(errors, "reason", "销号理由", reason, 300, required=True)
    if item.closed_on is not None:
        errors.add("reason", "销号：该条目已销号。")
    errors.raise_if_any()
    today = timezone.localdate()
    item.closed_on = today
    item.closing_note = reason
    item.save(update_fields=["closed_on", "closing_note"])
    audit.record(
        actor=actor,
        action="list_close",
        target=item,
        target_repr=f"{area.name}·{KIND_ZH[item.kind]}：{item.title}",
        org_path=_org_path(area),
        changes={"closed_on": [None, today.isoformat()], "closure_reason": [None, reason]},
    )
    return item
