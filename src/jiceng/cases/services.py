"""Every write on a case: filing it (a resident without an account, a grid worker, a window, a
hotline, an Open311 client, a court), and each step of its workflow — accept, hand on, escalate,
whistle, report in, resolve, rate, close by itself, reopen, dismiss — plus what disputes, wage
arrears and enforcement assistance add. Everything is checked first; a refused call changes
nothing. Each step moves the workflow instance and the case's row together, audited once."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiceng.core import audit, crypto, notify, photos, workdays, workflows
from jiceng.core.boundary import text_problem
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.identifiers import normalise_phone
from jiceng.core.models import Area, User, WorkflowInstance
from jiceng.core.models import Channel as NotifyChannel
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_area, has_perm_anywhere

from . import geo, queries
from .models import (
    PRIVATE_KINDS,
    Case,
    CaseNote,
    CasePhoto,
    Category,
    Channel,
    Department,
    EnforcementOutcome,
    EnforcementRequest,
    Kind,
    Level,
    Mediator,
    PendingToken,
    Rating,
    Severity,
    State,
    WageClaim,
    Whistle,
)
from .plugin import DEPARTMENT_WORK, ENTER_CASE, HANDLE_CASE, MEDIATE, PUSH_ENFORCEMENT, WHISTLE
from .workflows import KEY

MAX_PHOTOS = 6
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out on the phone
NUMBER_LENGTH = 10
STAFF_CHANNELS = frozenset(
    c for c in Channel.values if c not in (Channel.ONLINE, Channel.OPEN311, Channel.COURT)
)
NOTIFY_KIND = "cases.update"


@dataclass
class WageIn:
    employer: str = ""
    employer_uscc: str = ""
    project: str = ""
    workers: Any = None
    amount: Any = None


@dataclass
class CaseIn:
    """What a case is filed with, from any channel (pages, API, Open311 parse into this)."""

    category_id: Any = None
    description: str = ""
    area_id: Any = None
    name: str = ""
    phone: str = ""
    title: str = ""
    severity: str = Severity.NORMAL
    channel: str = Channel.ONLINE
    address: str = ""
    email: str = ""
    lat: Any = None
    lon: Any = None
    datum: str = "wgs84"  # or gcj02 (a Chinese map picker's point: converted before storing)
    public: bool = True  # the resident agrees that the request (never their name) is listed
    photos: Sequence[Any] = field(default_factory=list)
    wage: WageIn | None = None
    court: str = ""
    court_case_number: str = ""


def _text(
    errors: ErrorCollector,
    fieldname: str,
    label: str,
    value: str,
    max_length: int,
    *,
    required=False,
    multiline=False,
    name=False,
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(fieldname, f"{label}：必填。")
        return value
    problem = text_problem(value, label=label, max_length=max_length, multiline=multiline, name=name)
    if problem:
        errors.add(fieldname, problem)
    return value


def _int_id(value: Any) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


def categories_for(area: Area):
    """The categories in force at ``area``: its county's own, then the defaults it has not replaced."""
    county = queries.county_area(area)
    own = Category.objects.filter(county=county, active=True) if county else Category.objects.none()
    replaced = list(Category.objects.filter(county=county).values_list("code", flat=True)) if county else []
    return (
        own | Category.objects.filter(county__isnull=True, active=True).exclude(code__in=replaced)
    ).order_by("order", "code")


def _coordinate(errors, fieldname: str, label: str, value: Any, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        errors.add(fieldname, f"{label}：应为数字（度）。")
        return None
    if not low <= number <= high:
        errors.add(fieldname, f"{label}：应在 {low} 至 {high} 之间。")
        return None
    return number


def _new_number() -> str:
    while True:
        number = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        if not Case.objects.filter(number=number).exists():
            return number


def _due(start: dt.datetime, days: int) -> dt.datetime:
    local = timezone.localtime(start)
    day = workdays.add_workdays(local.date(), days)
    return timezone.make_aware(dt.datetime.combine(day, local.time()))


def _clean_wage(errors: ErrorCollector, wage: WageIn) -> dict:
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError

    out: dict[str, Any] = {
        "employer": _text(errors, "wage_employer", "欠薪单位", wage.employer, 100, required=True, name=True),
        "project": _text(errors, "wage_project", "项目", wage.project, 100),
    }
    code = (wage.employer_uscc or "").strip().upper()
    if code:
        try:
            out["employer_uscc"] = uscc.validate(code)
        except ValidationError:
            errors.add(
                "wage_employer_uscc", "统一社会信用代码：不是有效的18位代码（校验位不符或含非法字符）。"
            )
    workers = _int_id(wage.workers)
    if workers is None or workers > 100_000:
        errors.add("wage_workers", "涉及人数：应为1至100000的整数。")
    out["workers"] = workers
    try:
        amount = Decimal(str(wage.amount).strip())
        if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12") or amount != round(amount, 2):
            raise InvalidOperation
        out["amount"] = amount
    except (InvalidOperation, ValueError):
        errors.add("wage_amount", "欠薪金额：应为大于0的金额（元，最多两位小数）。")
    return out


@transaction.atomic
def submit(*, actor, data: CaseIn, client=None, when: dt.datetime | None = None) -> Case:
    """File a case. ``actor`` None: a resident on the public page (channel online) or an Open311
    client system (``client``); otherwise staff entering it where their grant reaches."""
    errors = ErrorCollector()
    staff = actor is not None and getattr(actor, "is_authenticated", False)
    area = None
    area_id = _int_id(data.area_id)
    if area_id is None:
        errors.add("area", "所在村（社区）：必选。")
    else:
        area = Area.objects.filter(pk=area_id).first()
        if area is None or queries.level_of(area) is None and area.kind not in ("estate", "building"):
            errors.add("area", "所在村（社区）：请选择一个村、社区或网格。")
            area = None
        elif (
            staff
            and not can_access_area(actor, ENTER_CASE, area)
            and not can_access_area(actor, PUSH_ENFORCEMENT, area)
        ):
            raise NotFound()
        elif area.kind in ("county", "township", "subdistrict"):
            errors.add("area", "所在村（社区）：请选择到村（社区）或网格。")
            area = None
        elif client is not None and queries.county_area(area) != client.county:
            errors.add("area", "所在村（社区）：不在本接入系统所属县的范围内。")
            area = None
    category = None
    category_id = _int_id(data.category_id)
    if category_id is None:
        errors.add("category", "诉求类别：必选。")
    elif area is not None:
        category = categories_for(area).filter(pk=category_id).first()
        if category is None:
            errors.add("category", "诉求类别：不是本县在用的类别。")
    if data.severity not in Severity.values:
        errors.add("severity", "紧急程度：应为较小、一般、较大或重大。")
    channel = data.channel
    if client is not None:
        channel = client.channel
    elif not staff:
        channel = Channel.ONLINE
    elif channel == Channel.COURT:
        if category is not None and category.kind != Kind.ENFORCEMENT:
            errors.add("category", "诉求类别：法院推送只能是执行协助类。")
    elif channel not in STAFF_CHANNELS:
        errors.add("channel", "来源渠道：请选择窗口、电话、走访、12345、12333或微信群。")
    if category is not None and category.kind == Kind.ENFORCEMENT and channel != Channel.COURT:
        errors.add("category", "诉求类别：执行协助事项由法院推送，不能由群众或窗口提交。")
    description = _text(
        errors, "description", "诉求内容", data.description, 2000, required=True, multiline=True
    )
    title = _text(errors, "title", "标题", data.title, 100)
    address = _text(errors, "address", "详细地址", data.address, 200)
    is_court = channel == Channel.COURT
    name = _text(errors, "name", "姓名", data.name, 50, required=not is_court, name=True)
    phone = ""
    if not is_court:
        phone, problem = normalise_phone(data.phone or "")
        if not phone:
            errors.add("phone", "联系电话：必填（用于查询办理进度和接收办理结果）。")
        elif problem:
            errors.add("phone", problem)
    email = _text(errors, "email", "电子邮箱", data.email, 100)
    if email and ("@" not in email or " " in email):
        errors.add("email", "电子邮箱：格式不正确。")
    lat = _coordinate(errors, "lat", "纬度", data.lat, -90, 90)
    lon = _coordinate(errors, "lon", "经度", data.lon, -180, 180)
    if (data.lat in (None, "")) != (data.lon in (None, "")):  # one given without the other (not: one refused)
        errors.add("lat", "地图位置：经度和纬度须同时填写。")
    if data.datum not in ("wgs84", "gcj02"):
        errors.add("datum", "坐标系：应为 wgs84 或 gcj02。")
    uploads = [p for p in data.photos if p]
    cleaned = []
    if len(uploads) > MAX_PHOTOS:
        errors.add("photos", f"照片：最多{MAX_PHOTOS}张（现为{len(uploads)}张）。")
    else:
        for upload in uploads:
            try:
                cleaned.append(photos.clean_image(upload, field="photos"))
            except DomainError as exc:
                for f, msgs in exc.errors.items():
                    for m in msgs:
                        errors.add(f, m)
    wage = None
    if category is not None and category.kind == Kind.WAGE:
        wage = _clean_wage(errors, data.wage or WageIn())
    court = court_no = ""
    if is_court:
        court = _text(errors, "court", "法院", data.court, 100, required=True)
        court_no = _text(errors, "court_case_number", "执行案号", data.court_case_number, 60, required=True)
        if staff and area is not None and not can_access_area(actor, PUSH_ENFORCEMENT, area):
            raise NotFound()
    errors.raise_if_any()
    assert area is not None and category is not None

    if lat is not None and lon is not None and data.datum == "gcj02":
        lon, lat = geo.gcj02_to_wgs84(lon, lat)
    now = when or timezone.now()
    start = int(category.routing.get(data.severity, Level.VILLAGE))
    level, handling = queries.area_at_level(area, start)
    case = Case.objects.create(
        number=_new_number(),
        category=category,
        kind=category.kind,
        severity=data.severity,
        channel=channel,
        title=title or category.name,
        description=description,
        area=area,
        address=address,
        lat=Decimal(f"{lat:.6f}") if lat is not None else None,
        lon=Decimal(f"{lon:.6f}") if lon is not None else None,
        resident_name_ciphertext=crypto.encrypt(name, field="resident_name") if name else "",
        resident_name_masked=(name[0] + "*" * (len(name) - 1)) if name else "",
        phone_ciphertext=crypto.encrypt(phone, field="phone") if phone else "",
        phone_masked=crypto.mask_phone(phone) if phone else "",
        phone_tail_digest=_tail_digest(phone) if phone else "",
        email_ciphertext=crypto.encrypt(email, field="email") if email else "",
        level=level,
        top_level=level,
        handling_area=handling,
        owner=actor if staff else None,
        entered_by=actor if staff else None,
        open311_client=client,
        public=bool(data.public) and category.public and category.kind not in PRIVATE_KINDS,
        received_at=now,
        respond_due_at=now + dt.timedelta(hours=category.respond_hours),
        due_at=_due(now, category.promise_workdays),
    )
    for img in cleaned:
        stored = photos.save(img, kind="cases")
        CasePhoto.objects.create(
            case=case,
            name=stored,
            content_type=img.content_type,
            width=img.width,
            height=img.height,
            by_resident=not staff,
        )
    if wage is not None:
        WageClaim.objects.create(case=case, **wage)
    if is_court:
        EnforcementRequest.objects.create(case=case, court=court, court_case_number=court_no)
    if category.kind == Kind.DISPUTE:
        _route_dispute(case)
    org = queries.county_org(area)
    if org is None:
        raise DomainError(field="area", message="所在村（社区）：所属县尚未建立党组织，无法受理。")
    workflows.start(key=KEY, org=org, target=case)
    CaseNote.objects.create(
        case=case, author=actor if staff else None, text=f"已收到诉求，由{handling.name}办理。", public=True
    )
    audit.record(
        actor=actor if staff else None,
        action="case_submit",
        target=case,
        target_repr=f"{case.number} {case.title}",
        org_path=_org_path(case),
        changes={
            "channel": [None, channel],
            "category": [None, category.name],
            "handling_area": [None, handling.name],
        },
    )
    _tell_handlers(case, f"新诉求：{case.title}")
    _tell_resident(case, f"您的诉求已收到，编号{case.number}，可凭编号和手机号后四位查询办理进度。")
    return case


def _tail_digest(phone: str) -> str:
    return crypto.digest(phone[-4:], field="phone_tail")


def _org_path(case: Case) -> str:
    org = queries.org_for_area(case.area)
    return org.path if org else ""


def _route_dispute(case: Case) -> None:
    """1+1+N: the tier by severity, the first active mediator of that tier serving the place."""
    from .catalogue import MEDIATOR_TIER

    tier = MEDIATOR_TIER.get(case.severity, "community")
    paths = queries.ancestor_paths(case.area)
    mediator = (
        Mediator.objects.filter(active=True, tier=tier, area__path__in=paths)
        .order_by("-area__depth", "pk")
        .first()
    )
    if mediator is not None:
        case.mediator = mediator
        case.save(update_fields=["mediator"])


def _tell_handlers(case: Case, subject: str) -> None:
    notify.notify(
        recipients=queries.handlers_at(case.handling_area),
        kind="cases.queue",
        subject=subject,
        body=f"{case.number} · {case.category.name} · {case.area.name}",
        link=f"/cases/{case.pk}/",
        org=queries.org_for_area(case.handling_area),
    )


def _tell_resident(case: Case, text: str) -> None:
    """The resident hears of every change by SMS to the phone they gave (held in the outbox when no
    gateway is configured); the same words are on their tracking page."""
    if not case.phone_ciphertext:
        return
    phone = crypto.decrypt(case.phone_ciphertext, field="phone")
    notify.notify_address(
        channel=NotifyChannel.SMS,
        address=phone,
        kind=NOTIFY_KIND,
        subject="诉求办理进度",
        body=text,
        link=f"/public/cases/track/?number={case.number}",
        org=queries.org_for_area(case.area),
    )


def _instance(case: Case) -> WorkflowInstance:
    return WorkflowInstance.objects.select_related("definition", "org").get(
        target_type=case._meta.label_lower, target_id=str(case.pk)
    )


def _step(
    *,
    actor,
    case: Case,
    action: str,
    data: dict | None = None,
    changes: dict | None = None,
    exception_reason: str = "",
    note: str = "",
    public_note: str = "",
) -> None:
    """One workflow step: the guards decide; the case row follows the instance's new state."""
    instance = _instance(case)
    workflows.transition(
        actor=actor,
        instance=instance,
        action=action,
        data=data or {},
        target=case,
        audit_action="case_step",
        changes=changes,
        exception_reason=exception_reason,
        org_path=_org_path(case),
    )
    # a county's own stage is not a state of the figures: the case stays in the last fixed one
    if instance.state in State.values:
        case.state = instance.state
    case.save()
    if note:
        CaseNote.objects.create(case=case, author=actor, text=note[:1000], public=False)
    if public_note:
        CaseNote.objects.create(case=case, author=actor, text=public_note[:1000], public=True)


def _refuse_reason(
    reason: str, *, required: bool = True, fieldname: str = "reason", label: str = "理由"
) -> str:
    errors = ErrorCollector()
    value = _text(errors, fieldname, label, reason, 500, required=required, multiline=True)
    errors.raise_if_any()
    return value


def _visible(actor, case: Case) -> None:
    """A step on a case the actor cannot see at all is a 404, not a refusal that confirms it."""
    from . import selectors

    if not selectors.cases_for(actor).filter(pk=case.pk).exists():
        raise NotFound()


@transaction.atomic
def accept(*, actor, case: Case) -> None:
    _visible(actor, case)
    first = case.accepted_at is None
    if first:
        case.accepted_at = timezone.now()
    if case.owner_id is None:
        case.owner = actor
    _step(actor=actor, case=case, action="accept", public_note=f"{case.handling_area.name}已受理，正在办理。")
    _tell_resident(case, f"您的诉求（{case.number}）已受理，正在办理。")


@transaction.atomic
def hand_on(*, actor, case: Case, to_user_id: Any, note: str = "") -> None:
    """首问负责: the owner hands the case on to a named colleague at the same level, recorded."""
    _visible(actor, case)
    note = _refuse_reason(note, required=False, fieldname="note", label="说明")
    target = User.objects.filter(pk=_int_id(to_user_id) or 0, is_active=True).first()
    if target is None or target.pk not in set(
        queries.handlers_at(case.handling_area).values_list("pk", flat=True)
    ):
        raise DomainError(field="to_user", message=f"转交给：应为{case.handling_area.name}的办理人员。")
    before = str(case.owner) if case.owner_id else None
    case.owner = target
    _step(
        actor=actor,
        case=case,
        action="hand_on",
        data={"to_user": target.pk},
        changes={"owner": [before, str(target)]},
        note=note,
    )
    notify.notify(
        recipients=[target],
        kind="cases.queue",
        subject=f"转交给您的诉求：{case.title}",
        body=note or case.number,
        link=f"/cases/{case.pk}/",
        org=queries.org_for_area(case.handling_area),
    )


@transaction.atomic
def escalate(*, actor, case: Case, reason: str) -> None:
    """吹哨上报: to the next level up; the next level must accept it again (a new response clock)."""
    _visible(actor, case)
    reason = _refuse_reason(reason, required=False)
    before = case.handling_area.name
    if case.level >= Level.COUNTY:
        nxt = None
    else:
        lv, nxt = queries.area_at_level(case.area, case.level + 1)
    instance = _instance(case)
    option = workflows.evaluate(actor=actor, instance=instance, action="escalate", data={"reason": reason})
    if not option.allowed:
        raise DomainError(option.fields)
    assert nxt is not None
    case.level, case.handling_area = lv, nxt
    case.top_level = max(case.top_level, lv)
    case.owner = None
    _step(
        actor=actor,
        case=case,
        action="escalate",
        data={"reason": reason, "to": nxt.pk},
        changes={"level": [before, nxt.name], "handling_area": [before, nxt.name]},
        note=reason,
        public_note=f"已上报{nxt.name}办理。",
    )
    _tell_handlers(case, f"上报的诉求：{case.title}")
    _tell_resident(case, f"您的诉求（{case.number}）已上报{nxt.name}办理。")


@transaction.atomic
def whistle(
    *,
    actor,
    case: Case,
    department_ids: Sequence[Any] = (),
    member_user_ids: Sequence[Any] = (),
    note: str = "",
) -> list[Whistle]:
    """吹哨: call departments (部门报到) and members (党员报到) to the case; each must report in
    within the configured minutes."""
    _visible(actor, case)
    errors = ErrorCollector()
    note = _text(errors, "note", "吹哨说明", note, 300)
    county = queries.county_area(case.area)
    dep_ids = [d for d in (_int_id(x) for x in department_ids) if d]
    departments = list(
        Department.objects.filter(
            pk__in=dep_ids, active=True, area__path__startswith=county.path if county else "~"
        )
    )
    if len(departments) != len(set(dep_ids)):
        errors.add("departments", "部门：应为本县在用的部门。")
    mem_ids = [m for m in (_int_id(x) for x in member_user_ids) if m]
    members = list(_members_near(case).filter(pk__in=mem_ids))
    if len(members) != len(set(mem_ids)):
        errors.add("members", "党员：应为本村（社区）有账号的党员。")
    if not departments and not members:
        errors.add("departments", "吹哨：至少选择一个部门或一名党员。")
    if not has_perm_anywhere(actor, WHISTLE) or not can_access_area(actor, WHISTLE, case.handling_area):
        errors.add("action", "吹哨：须由当前层级的党组织书记或乡镇（县）负责人吹哨。")
    errors.raise_if_any()
    now = timezone.now()
    due = now + dt.timedelta(minutes=int(rule("cases.report_in_minutes", _instance(case).org)))
    made = [
        Whistle(case=case, department=d, by=actor, at=now, note=note, report_due_at=due) for d in departments
    ] + [Whistle(case=case, member_user=m, by=actor, at=now, note=note, report_due_at=due) for m in members]
    names = [d.name for d in departments] + [str(m) for m in members]
    _step(
        actor=actor,
        case=case,
        action="whistle",
        data={"to": names},
        changes={"whistled": [None, "、".join(names)]},
        note=note,
    )
    Whistle.objects.bulk_create(made)
    staff = User.objects.filter(departments__department__in=departments, is_active=True)
    notify.notify(
        recipients=[*staff, *members],
        kind="cases.whistle",
        subject=f"吹哨：请于{timezone.localtime(due):%H:%M}前报到",
        body=f"{case.number} · {case.title} · {case.area.name}",
        link=f"/cases/{case.pk}/",
        org=queries.org_for_area(case.area),
        channels=(NotifyChannel.INBOX, NotifyChannel.SMS),
    )
    return made


def _members_near(case: Case):
    """Users who are party members living in the case's village (社区吹哨、党员报到)."""
    return queries.members_near(case)


@transaction.atomic
def report_in(*, actor, case: Case, note: str = "") -> Whistle:
    note = _refuse_reason(note, required=False, fieldname="note", label="报到说明")
    _visible(actor, case)
    found = queries.open_whistle_for(case, actor)
    _step(actor=actor, case=case, action="report_in", changes={"reported_in": [None, str(actor)]}, note=note)
    assert found is not None  # the guard refused otherwise
    found.reported_at, found.reported_by, found.report_note = timezone.now(), actor, note
    found.save(update_fields=["reported_at", "reported_by", "report_note"])
    # the resident's trail names a department, never a person (a member's name is theirs)
    who = found.department.name if found.department is not None else "党员"
    CaseNote.objects.create(case=case, author=actor, text=f"{who}已报到。", public=True)
    return found


@transaction.atomic
def resolve(*, actor, case: Case, reply: str) -> None:
    """办结: the public reply is required; the resident is told and asked to rate."""
    if queries.reported_whistle_for(case, actor) is None:
        _visible(actor, case)
    errors = ErrorCollector()
    reply = _text(errors, "reply", "答复", reply, 2000, multiline=True)
    errors.raise_if_any()
    now = timezone.now()
    before = case.reply or None
    case.reply, case.resolved_at = reply, now
    case.workdays_to_resolve = workdays.workdays_between(
        timezone.localtime(case.received_at).date(), timezone.localtime(now).date()
    )
    _step(
        actor=actor,
        case=case,
        action="resolve",
        data={"reply": reply},
        changes={"reply": [before, reply]},
        public_note=f"已办结：{reply}",
    )
    said = reply[:60].rstrip("。.！!？?；;，, \n")  # the sentence ends here: not "。。"
    _tell_resident(case, f"您的诉求（{case.number}）已办结：{said}。请凭编号和手机号后四位评价。")


def find_for_resident(*, number: str, phone_tail: str) -> Case:
    """The resident's own case, by its number and the last four digits of the phone they gave; a
    wrong pair is NotFound, whichever part is wrong."""
    number = (number or "").strip().upper()
    tail = (phone_tail or "").strip()
    if not (len(number) == NUMBER_LENGTH and all(c in NUMBER_ALPHABET for c in number)) or not (
        len(tail) == 4 and tail.isascii() and tail.isdigit()
    ):
        raise NotFound()
    case = Case.objects.select_related("category", "area", "handling_area").filter(number=number).first()
    if (
        case is None
        or not case.phone_tail_digest
        or not secrets.compare_digest(case.phone_tail_digest, _tail_digest(tail))
    ):
        raise NotFound()
    return case


@transaction.atomic
def rate(*, number: str, phone_tail: str, rating: str, resolved: Any, comment: str = "") -> Case:
    """The resident's rating closes the case. Only the resident (number + phone tail) may rate."""
    case = find_for_resident(number=number, phone_tail=phone_tail)
    errors = ErrorCollector()
    if rating not in (Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED):
        errors.add("rating", "评价：请选择满意、基本满意或不满意。")
    if resolved not in (True, False, "yes", "no"):
        errors.add("resolved", "是否解决：请选择已解决或未解决。")
    comment = _text(errors, "comment", "评价意见", comment, 300, multiline=True)
    errors.raise_if_any()
    case.rating, case.rating_comment = rating, comment
    case.resolved_for_resident = resolved in (True, "yes")
    case.closed_at = timezone.now()
    _step(
        actor=None,
        case=case,
        action="rate",
        data={"resident_verified": True, "rating": rating},
        changes={"rating": [None, rating]},
        public_note="群众已评价，诉求关闭。",
    )
    return case


def auto_close_due(*, now: dt.datetime | None = None) -> int:
    """Close as 未评价 every resolved case its resident did not rate within the configured working
    days (the worker runs this; the workflow's wait guard decides). Returns how many closed."""
    now = now or timezone.now()
    closed = 0
    for case in Case.objects.filter(
        state=State.RESOLVED, resolved_at__lte=now - dt.timedelta(days=1)
    ).select_related("area", "handling_area", "category")[:5000]:
        instance = _instance(case)
        if not workflows.evaluate(actor=None, instance=instance, action="auto_close", now=now).allowed:
            continue
        with transaction.atomic():
            case.rating, case.closed_at = Rating.UNRATED, now
            _step(
                actor=None,
                case=case,
                action="auto_close",
                changes={"rating": [None, Rating.UNRATED]},
                public_note="逾期未评价，诉求自动关闭（未评价）。",
            )
        closed += 1
    return closed


@transaction.atomic
def reopen(*, actor, case: Case, reason: str, exception_reason: str = "") -> None:
    _visible(actor, case)
    reason = _refuse_reason(reason)
    case.reopened += 1
    case.resolved_at = case.closed_at = None
    case.rating, case.resolved_for_resident, case.workdays_to_resolve = "", None, None
    _step(
        actor=actor,
        case=case,
        action="reopen",
        data={"reason": reason},
        exception_reason=exception_reason,
        note=reason,
        public_note="诉求已重新办理。",
    )
    _tell_resident(case, f"您的诉求（{case.number}）已重新办理。")


@transaction.atomic
def dismiss(*, actor, case: Case, reason: str) -> None:
    _visible(actor, case)
    reason = _refuse_reason(reason)
    case.closed_at = timezone.now()
    _step(
        actor=actor, case=case, action="dismiss", data={"reason": reason}, public_note=f"不予受理：{reason}"
    )
    _tell_resident(case, f"您的诉求（{case.number}）不予受理：{reason[:60]}")


@transaction.atomic
def advance(*, actor, case: Case, action: str, exception_reason: str = "") -> None:
    """The way on from a stage the county inserted (a generic transition): its guards decide."""
    _visible(actor, case)
    instance = _instance(case)
    t = workflows.spec_of(instance.definition).transition(action)
    if t is None or not t.generic:
        raise DomainError(field="action", message="办理动作：不是本县自定义环节的办理动作。")
    if not can_access_area(actor, HANDLE_CASE, case.handling_area):
        # a county's stage carries no guard of its own: those who handle the case take it on
        raise DomainError(field="action", message=f"只有{case.handling_area.name}的办理人员可以办理此诉求。")
    if t.target == State.CLOSED and case.closed_at is None:
        case.closed_at = timezone.now()
    _step(actor=actor, case=case, action=action, exception_reason=exception_reason)


@transaction.atomic
def add_note(*, actor, case: Case, text: str, public: bool = False) -> CaseNote:
    _visible(actor, case)
    errors = ErrorCollector()
    text = _text(errors, "text", "办理记录", text, 1000, required=True, multiline=True)
    errors.raise_if_any()
    note = CaseNote.objects.create(case=case, author=actor, text=text, public=bool(public))
    audit.record(
        actor=actor, action="update", target=case, org_path=_org_path(case), changes={"note": [None, text]}
    )
    return note


# --- disputes ---------------------------------------------------------------------------------------


@transaction.atomic
def assign_mediator(*, actor, case: Case, mediator_id: Any) -> None:
    _visible(actor, case)
    if case.kind != Kind.DISPUTE:
        raise DomainError(field="mediator", message="调解员：只有矛盾纠纷类诉求可以指派调解员。")
    if not can_access_area(actor, HANDLE_CASE, case.handling_area):
        raise DomainError(field="mediator", message="调解员：只有当前层级的办理人员可以指派。")
    paths = queries.ancestor_paths(case.area)
    mediator = Mediator.objects.filter(
        pk=_int_id(mediator_id) or 0, active=True, area__path__in=paths
    ).first()
    if mediator is None:
        raise DomainError(field="mediator", message="调解员：应为服务本村（社区）或上级的在册调解员。")
    before = str(case.mediator) if case.mediator_id else None
    case.mediator = mediator
    case.save(update_fields=["mediator"])
    audit.record(
        actor=actor,
        action="update",
        target=case,
        org_path=_org_path(case),
        changes={"mediator": [before, str(mediator)]},
    )
    notify.notify(
        recipients=[mediator.user],
        kind="cases.dispute",
        subject=f"请调解：{case.title}",
        body=case.number,
        link=f"/cases/{case.pk}/",
        org=queries.org_for_area(case.area),
    )


@transaction.atomic
def record_agreement(
    *, actor, case: Case, agreement_on: dt.date | None, confirmation_applied_on: dt.date | None
) -> None:
    """The mediation agreement's date and, optionally, when 司法确认 was applied for: within the
    configured 30 days of the agreement (人民调解法 第三十三条)."""
    from . import selectors

    if not selectors.cases_for(actor).filter(pk=case.pk).exists() and not (
        case.mediator is not None and case.mediator.user_id == actor.pk
    ):
        raise NotFound()
    errors = ErrorCollector()
    if case.kind != Kind.DISPUTE:
        errors.add("agreement_on", "调解协议：只有矛盾纠纷类诉求有调解协议。")
    today = timezone.localdate()
    if agreement_on is None:
        errors.add("agreement_on", "调解协议日期：必填。")
    elif agreement_on > today or agreement_on < timezone.localtime(case.received_at).date():
        errors.add("agreement_on", "调解协议日期：应在收到诉求之后，且不晚于今天。")
    if confirmation_applied_on is not None and agreement_on is not None:
        limit = int(rule("cases.confirmation_days", _instance(case).org))
        if confirmation_applied_on < agreement_on or confirmation_applied_on > today:
            errors.add("confirmation_applied_on", "申请司法确认日期：应在协议之后，且不晚于今天。")
        elif (confirmation_applied_on - agreement_on).days > limit:
            errors.add(
                "confirmation_applied_on",
                f"申请司法确认日期：应在调解协议生效后{limit}日内（人民调解法第三十三条），已超过。",
            )
    errors.raise_if_any()
    case.agreement_on, case.confirmation_applied_on = agreement_on, confirmation_applied_on
    case.save(update_fields=["agreement_on", "confirmation_applied_on"])
    audit.record(
        actor=actor,
        action="update",
        target=case,
        org_path=_org_path(case),
        changes={
            "agreement_on": [None, str(agreement_on)],
            "confirmation_applied_on": [None, str(confirmation_applied_on or "")],
        },
    )


# --- wage arrears -----------------------------------------------------------------------------------


@transaction.atomic
def supervise_wage(
    *,
    actor,
    case: Case,
    supervised: bool,
    responsible_unit: str = "",
    responsible_person: str = "",
    police_referred_on: dt.date | None = None,
    police_note: str = "",
    recovered: Any = None,
) -> WageClaim:
    """挂牌督办 with a named responsible unit and person; the referral to the police for
    拒不支付劳动报酬; the amount recovered."""
    _visible(actor, case)
    if not can_access_area(actor, HANDLE_CASE, case.handling_area):
        raise DomainError(field="action", message="督办：只有当前层级的办理人员可以登记。")
    claim = WageClaim.objects.filter(case=case).first()
    if claim is None:
        raise NotFound()
    errors = ErrorCollector()
    unit = _text(errors, "responsible_unit", "责任单位", responsible_unit, 100)
    person = _text(errors, "responsible_person", "责任人", responsible_person, 50, name=True)
    note = _text(errors, "police_note", "移送说明", police_note, 300)
    if supervised and (not unit or not person):
        errors.add("responsible_unit", "挂牌督办：须写明责任单位和责任人。")
    if police_referred_on is not None and (
        police_referred_on > timezone.localdate()
        or police_referred_on < timezone.localtime(case.received_at).date()
    ):
        errors.add("police_referred_on", "移送公安日期：应在收到诉求之后，且不晚于今天。")
    amount = claim.recovered
    if recovered not in (None, ""):
        try:
            amount = Decimal(str(recovered))
            if not amount.is_finite() or amount < 0 or amount > claim.amount or amount != round(amount, 2):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add("recovered", f"已追回金额：应为0至{claim.amount}元。")
    errors.raise_if_any()
    before = {"supervised": claim.supervised, "responsible_unit": claim.responsible_unit}
    claim.supervised, claim.responsible_unit, claim.responsible_person = bool(supervised), unit, person
    claim.police_referred_on, claim.police_note, claim.recovered = police_referred_on, note, amount
    claim.save()
    audit.record(
        actor=actor,
        action="update",
        target=case,
        org_path=_org_path(case),
        changes={
            "supervised": [before["supervised"], claim.supervised],
            "responsible_unit": [before["responsible_unit"], unit],
        },
    )
    return claim


# --- court enforcement assistance -----------------------------------------------------------------


@transaction.atomic
def report_enforcement(
    *, actor, case: Case, person_located: Any, contact_made: Any, assets_found: str = "", findings: str = ""
) -> EnforcementRequest:
    """The grid worker's report: person located, assets, contact made."""
    _visible(actor, case)
    req = EnforcementRequest.objects.filter(case=case).first()
    if req is None:
        raise NotFound()
    if not can_access_area(actor, HANDLE_CASE, case.handling_area):
        raise DomainError(field="action", message="协助执行：只有当前层级的办理人员可以报告。")
    errors = ErrorCollector()
    assets = _text(errors, "assets_found", "发现的财产线索", assets_found, 500, multiline=True)
    text = _text(errors, "findings", "查找情况", findings, 1000, required=True, multiline=True)
    for name, value, label in (
        ("person_located", person_located, "是否找到当事人"),
        ("contact_made", contact_made, "是否取得联系"),
    ):
        if value not in (True, False):
            errors.add(name, f"{label}：请选择是或否。")
    errors.raise_if_any()
    req.person_located, req.contact_made, req.assets_found, req.findings = (
        person_located,
        contact_made,
        assets,
        text,
    )
    req.reported_at = timezone.now()
    req.save()
    audit.record(
        actor=actor,
        action="update",
        target=case,
        org_path=_org_path(case),
        changes={"findings": [None, text]},
    )
    return req


@transaction.atomic
def record_court_outcome(
    *, actor, case: Case, outcome: str, outcome_on: dt.date | None, amount_executed: Any = None
) -> EnforcementRequest:
    req = EnforcementRequest.objects.filter(case=case).first()
    if req is None or not can_access_area(actor, PUSH_ENFORCEMENT, case.area):
        raise NotFound()
    errors = ErrorCollector()
    if outcome not in EnforcementOutcome.values:
        errors.add("outcome", "执行结果：请选择。")
    if (
        outcome_on is None
        or outcome_on > timezone.localdate()
        or outcome_on < timezone.localtime(case.received_at).date()
    ):
        errors.add("outcome_on", "结果日期：应在推送之后，且不晚于今天。")
    amount = None
    if amount_executed not in (None, ""):
        try:
            amount = Decimal(str(amount_executed))
            if (
                not amount.is_finite()
                or amount < 0
                or amount >= Decimal("1e12")
                or amount != round(amount, 2)
            ):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add("amount_executed", "执行到位金额：应为非负金额（元）。")
    errors.raise_if_any()
    req.outcome, req.outcome_on, req.amount_executed = outcome, outcome_on, amount
    req.save()
    audit.record(
        actor=actor,
        action="update",
        target=case,
        org_path=_org_path(case),
        changes={"outcome": [None, outcome]},
    )
    return req


def pending_token(case: Case) -> str:
    token = secrets.token_hex(12)
    PendingToken.objects.create(token=token, case=case)
    return token


__all__ = [
    "CaseIn",
    "WageIn",
    "submit",
    "accept",
    "hand_on",
    "escalate",
    "whistle",
    "report_in",
    "resolve",
    "rate",
    "auto_close_due",
    "reopen",
    "dismiss",
    "add_note",
    "assign_mediator",
    "record_agreement",
    "supervise_wage",
    "report_enforcement",
    "record_court_outcome",
    "find_for_resident",
    "categories_for",
    "DEPARTMENT_WORK",
    "MEDIATE",
]
