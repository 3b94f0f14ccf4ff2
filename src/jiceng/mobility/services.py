"""Mobility writes. Each function checks the actor's scope first (a record outside it is NotFound),
then every rule into one ErrorCollector (a Chinese message naming the field), stores nothing when
anything is wrong, and writes in one transaction with its audit entry.

A member's relation is never changed here: a confirmed transfer calls ``people.services.member_move``
(inside the system) or ``member_leave`` (out of it), which keep the membership history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.core import audit
from jiceng.core.boundary import text_problem
from jiceng.core.dates import months_after
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Area, Org, OrgKind
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_area, can_access_org
from jiceng.grids import services as grids_services
from jiceng.people import services as people_services

from .models import (
    CONTACT_NAMES,
    BranchProfile,
    BranchType,
    CheckIn,
    CheckKind,
    Contact,
    HostedAttendance,
    HostEnterprise,
    Inflow,
    MigrantWorker,
    Outflow,
    Transfer,
    TransferKind,
    TransferState,
    WorkSign,
)
from .plugin import MANAGE_MOBILITY, TRANSFER_RELATION

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)
LEDGER_ORG_KINDS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)
_CONTACTS = frozenset(Contact.values)
_CHECK_KINDS = frozenset(CheckKind.values)
_BRANCH_TYPES = frozenset(BranchType.values)


def _text(
    errors: ErrorCollector, field: str, label: str, value: str | None, limit: int, *, required=False
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(field, f"{label}：必填。")
    elif problem := text_problem(value, label=label, max_length=limit):
        errors.add(field, problem)
    return value


def _day(
    errors: ErrorCollector,
    field: str,
    label: str,
    value: dt.date | None,
    *,
    not_before: dt.date | None = None,
    not_before_label: str = "",
) -> None:
    if value is None:
        errors.add(field, f"{label}：必填。")
    elif value > timezone.localdate():
        errors.add(field, f"{label}：不能晚于今天。")
    elif not_before is not None and value < not_before:
        errors.add(field, f"{label}：不能早于{not_before_label}（{not_before:%Y-%m-%d}）。")


def _on_rolls(errors: ErrorCollector, member) -> None:
    if member.left_on is not None:
        errors.add("member", f"党员：{member.person.name}已于{member.left_on:%Y-%m-%d}离开党员名册。")


# --- branch profile (003: five types, online branch) -------------------------------------------------


def profile_set(
    *, actor, org: Org, branch_type: str, online: bool, platform: str = "", note: str = ""
) -> BranchProfile:
    """A branch's type (单独型、联合型、拓展型、流动型、网络型) and whether it is an online branch
    (网络党支部, 003): kept beside core's tree, one row per branch."""
    if not can_access_org(actor, MANAGE_MOBILITY, org):
        raise NotFound()
    errors = ErrorCollector()
    if org.kind not in BRANCH_KINDS:
        errors.add("org", "党组织：支部类型只登记在党支部、党总支。")
    if branch_type not in _BRANCH_TYPES:
        errors.add("branch_type", "支部类型：应为单独型、联合型、拓展型、流动型、网络型之一（003）。")
    platform = _text(errors, "platform", "网络平台", platform, 100)
    if online and not platform:
        errors.add("platform", "网络平台：网络党支部须登记所用平台（如微信群、QQ群名称）。")
    note = _text(errors, "note", "备注", note, 200)
    errors.raise_if_any()
    with transaction.atomic():
        profile = BranchProfile.objects.filter(org=org).first()
        before = (
            {"branch_type": profile.branch_type, "online": profile.online, "platform": profile.platform}
            if profile
            else {}
        )
        if profile is None:
            profile = BranchProfile(org=org)
        profile.branch_type, profile.online, profile.platform, profile.note = (
            branch_type,
            online,
            platform,
            note,
        )
        profile.save()
        changes = audit.diff(before, {"branch_type": branch_type, "online": online, "platform": platform})
        if changes:
            audit.record(
                actor=actor,
                action="update" if before else "create",
                target=profile,
                org_path=org.path,
                changes=changes,
            )
    return profile


# --- out-flow ------------------------------------------------------------------------------------


def _mobility_note(destination: str, employer: str, keep_in_touch: str, contact: str) -> str:
    where = destination + (f"（{employer}）" if employer else "")
    return f"{where}，{CONTACT_NAMES.get(keep_in_touch, '')}{contact}"[:200]


def outflow_record(
    *,
    actor,
    member,
    destination: str,
    since: dt.date,
    keep_in_touch: str,
    employer: str = "",
    contact: str = "",
    card_number: str = "",
    fixed_place: bool = False,
) -> Outflow:
    """A member of the actor's branch goes to work away (外出流动): where, for whom, how the branch keeps
    in touch, the 流动党员证 number. One open record per member; people's member record shows it too."""
    if not can_access_org(actor, MANAGE_MOBILITY, member.org):
        raise NotFound()
    errors = ErrorCollector()
    _on_rolls(errors, member)
    destination = _text(errors, "destination", "外出去向", destination, 100, required=True)
    employer = _text(errors, "employer", "务工单位", employer, 100)
    contact = _text(errors, "contact", "联系方式", contact, 50)
    card_number = _text(errors, "card_number", "流动党员证号", card_number, 30)
    if keep_in_touch not in _CONTACTS:
        errors.add("keep_in_touch", "联系方式类别：请选择电话、微信、QQ、书信、走访或网络党支部。")
    elif keep_in_touch in ("phone", "wechat", "qq") and not contact:
        errors.add("contact", "联系方式：以电话、微信或QQ联系的，须登记号码，防止失联。")
    _day(errors, "since", "外出时间", since)
    if Outflow.objects.filter(member=member, ended_on__isnull=True).exists():
        errors.add("member", f"党员：{member.person.name}已有外出登记，请先登记返回。")
    errors.raise_if_any()
    try:
        with transaction.atomic():
            out = Outflow.objects.create(
                member=member,
                destination=destination,
                employer=employer,
                contact=contact,
                keep_in_touch=keep_in_touch,
                card_number=card_number,
                fixed_place=fixed_place,
                since=since,
                created_by=actor,
            )
            audit.record(
                actor=actor,
                action="create",
                target=out,
                org_path=member.org.path,
                changes=audit.diff(
                    {},
                    {
                        "destination": destination,
                        "employer": employer,
                        "since": since.isoformat(),
                        "keep_in_touch": keep_in_touch,
                        "card_number": card_number,
                        "fixed_place": fixed_place,
                    },
                ),
            )
            people_services.member_update(
                actor=actor,
                member=member,
                mobility="outflow",
                mobility_note=_mobility_note(destination, employer, keep_in_touch, contact),
            )
    except IntegrityError:  # recorded twice at once
        raise DomainError(field="member", message=f"党员：{member.person.name}已有外出登记。") from None
    return out


def outflow_end(*, actor, outflow: Outflow, on: dt.date) -> Outflow:
    """The member is back (返乡): the record closes on ``on`` and stays for the history."""
    member = outflow.member
    if not can_access_org(actor, MANAGE_MOBILITY, member.org):
        raise NotFound()
    errors = ErrorCollector()
    if outflow.ended_on is not None:
        errors.add("on", f"返回时间：该外出登记已于{outflow.ended_on:%Y-%m-%d}结束。")
    _day(errors, "on", "返回时间", on, not_before=outflow.since, not_before_label="外出时间")
    errors.raise_if_any()
    with transaction.atomic():
        outflow.ended_on = on
        outflow.save(update_fields=["ended_on"])
        audit.record(
            actor=actor,
            action="outflow_end",
            target=outflow,
            org_path=member.org.path,
            changes={"ended_on": [None, on.isoformat()]},
        )
        if member.left_on is None and member.mobility == "outflow":
            people_services.member_update(actor=actor, member=member, mobility="none", mobility_note="")
    return outflow


# --- check-ins -------------------------------------------------------------------------------------


def checkin_record(
    *,
    actor,
    on: dt.date,
    kind: str,
    channel: str,
    note: str = "",
    outflow: Outflow | None = None,
    inflow: Inflow | None = None,
) -> CheckIn:
    """One contact with a mobile member (报到, 思想汇报, or the branch reaching them): for an out-flow
    member by the home branch, for an in-flow member by the host branch. It resets the overdue and
    失联 flags from that day."""
    if (outflow is None) == (inflow is None):
        raise DomainError(field="__all__", message="联系记录：须对应一条外出登记或一条流入登记。")
    org = outflow.member.org if outflow is not None else inflow.host  # type: ignore[union-attr]
    if not can_access_org(actor, MANAGE_MOBILITY, org):
        raise NotFound()
    record: Any = outflow if outflow is not None else inflow
    errors = ErrorCollector()
    if record.ended_on is not None:
        errors.add("on", f"联系时间：该登记已于{record.ended_on:%Y-%m-%d}结束。")
    _day(errors, "on", "联系时间", on, not_before=record.since, not_before_label="外出（流入）时间")
    if kind not in _CHECK_KINDS:
        errors.add("kind", "联系类型：请选择报到、思想汇报或支部联系。")
    if channel not in _CONTACTS:
        errors.add("channel", "联系方式：请选择电话、微信、QQ、书信、走访或网络党支部。")
    note = _text(errors, "note", "内容摘要", note, 200)
    errors.raise_if_any()
    with transaction.atomic():
        c = CheckIn.objects.create(
            outflow=outflow, inflow=inflow, on=on, kind=kind, channel=channel, note=note, recorded_by=actor
        )
        audit.record(
            actor=actor,
            action="checkin",
            target=record,
            org_path=org.path,
            changes={"since": [None, on.isoformat()], "keep_in_touch": [None, channel]},
        )
    return c


# --- in-flow -------------------------------------------------------------------------------------


def inflow_record(
    *,
    actor,
    host: Org,
    name: str,
    home_org: str,
    since: dt.date,
    workplace: str = "",
    contact: str = "",
    card_number: str = "",
    member=None,
) -> Inflow:
    """A member from elsewhere who lives and works here is hosted by a local branch (流入党员): their
    relation stays at ``home_org``. They take part in the host's organisational life and are counted
    in no member figure of the host."""
    if not can_access_org(actor, MANAGE_MOBILITY, host):
        raise NotFound()
    errors = ErrorCollector()
    if host.kind not in BRANCH_KINDS:
        errors.add("host", "接收支部：流入党员由党支部（党总支）接收管理。")
    name = _text(errors, "name", "姓名", name, 50, required=True)
    home_org = _text(errors, "home_org", "组织关系所在党组织", home_org, 100, required=True)
    workplace = _text(errors, "workplace", "务工单位", workplace, 100)
    contact = _text(errors, "contact", "联系方式", contact, 50)
    card_number = _text(errors, "card_number", "流动党员证号", card_number, 30)
    _day(errors, "since", "流入时间", since)
    if member is not None:
        _on_rolls(errors, member)
        if member.org.path.startswith(host.path):
            errors.add("member", f"党员：{member.person.name}的组织关系就在本支部，不是流入党员。")
        elif Inflow.objects.filter(member=member, ended_on__isnull=True).exists():
            errors.add("member", f"党员：{member.person.name}已登记为流入党员。")
    errors.raise_if_any()
    with transaction.atomic():
        inflow = Inflow.objects.create(
            host=host,
            member=member,
            name=name,
            home_org=home_org,
            workplace=workplace,
            contact=contact,
            card_number=card_number,
            since=since,
        )
        audit.record(
            actor=actor,
            action="create",
            target=inflow,
            org_path=host.path,
            changes=audit.diff({}, {"home_org": home_org, "since": since.isoformat()}),
        )
    return inflow


def inflow_end(*, actor, inflow: Inflow, on: dt.date) -> Inflow:
    if not can_access_org(actor, MANAGE_MOBILITY, inflow.host):
        raise NotFound()
    errors = ErrorCollector()
    if inflow.ended_on is not None:
        errors.add("on", f"离开时间：该流入登记已于{inflow.ended_on:%Y-%m-%d}结束。")
    _day(errors, "on", "离开时间", on, not_before=inflow.since, not_before_label="流入时间")
    errors.raise_if_any()
    with transaction.atomic():
        inflow.ended_on = on
        inflow.save(update_fields=["ended_on"])
        audit.record(
            actor=actor,
            action="update",
            target=inflow,
            org_path=inflow.host.path,
            changes={"ended_on": [None, on.isoformat()]},
        )
    return inflow


def hosted_attendance_set(*, actor, meeting, present: Iterable[int], online: Iterable[int] = ()) -> int:
    """Which in-flow members took part in a meeting of their host branch (or one of its party groups),
    in person or online. Kept beside orglife's attendance, which lists the branch's own members: the
    meeting's and the members' figures count nobody twice. ``meeting``: from orglife's scoped selector.
    Replaces what was recorded for the meeting."""
    if not can_access_org(actor, MANAGE_MOBILITY, meeting.org):
        raise NotFound()
    present, online = set(present), set(online)
    wanted = present | online
    from . import queries

    hosted = {
        i.pk: i
        for i in queries.inflows_on(meeting.held_on).filter(host__path__in=_ancestor_paths(meeting.org))
    }
    errors = ErrorCollector()
    for pk in sorted(wanted - set(hosted)):
        errors.add("attendance", f"出勤：编号 {pk} 不是会议当日由本支部接收的流入党员。")
    errors.raise_if_any()
    with transaction.atomic():
        HostedAttendance.objects.filter(meeting=meeting).delete()
        HostedAttendance.objects.bulk_create(
            [
                HostedAttendance(
                    meeting=meeting, inflow=hosted[pk], online=pk in online and pk not in present
                )
                for pk in sorted(wanted)
            ]
        )
        audit.record(
            actor=actor,
            action="update",
            target=meeting,
            org_path=meeting.org.path,
            changes={"attendance": [None, f"流入党员参加 {len(wanted)} 人"]},
        )
    return len(wanted)


def _ancestor_paths(org: Org) -> list[str]:
    step = Org.steplen
    return [org.path[:i] for i in range(step, len(org.path) + 1, step)]


# --- relation transfers (组织关系转接) ---------------------------------------------------------------


def transfer_issue(
    *,
    actor,
    member,
    kind: str,
    letter_number: str,
    issued_on: dt.date,
    dues_paid_to: dt.date | None,
    to_org: Org | None = None,
    destination: str = "",
    note: str = "",
) -> Transfer:
    """The sending side issues the letter (介绍信): inside the system to an organisation the receiving
    side confirms; out of the system to a named destination whose receipt (回执) the sending side
    records. Valid ``mobility.letter_valid_months`` (local: 3); notes the month dues are paid up to.
    Not received within ``mobility.pocket_after_days``: the member is flagged a pocket member."""
    if not can_access_org(actor, TRANSFER_RELATION, member.org):
        raise NotFound()
    errors = ErrorCollector()
    _on_rolls(errors, member)
    if kind not in TransferKind.values:
        errors.add("kind", "转接类型：请选择系统内转接或转出本系统。")
    letter_number = _text(errors, "letter_number", "介绍信编号", letter_number, 30, required=True)
    destination = _text(errors, "destination", "转往党组织", destination, 100)
    note = _text(errors, "note", "备注", note, 200)
    if kind == TransferKind.INSIDE:
        if to_org is None:
            errors.add("to_org", "接收党组织：系统内转接须选择接收的党组织。")
        elif to_org.pk == member.org_id:
            errors.add("to_org", f"接收党组织：该党员已在{to_org.name}。")
        elif to_org.path[: Org.steplen] != member.org.path[: Org.steplen]:
            errors.add("to_org", "接收党组织：不在本系统内，请按转出本系统开具介绍信。")
        elif to_org.kind not in rule("people.member_org_kinds", to_org):
            errors.add(
                "to_org", f"接收党组织：党员不能编入{to_org.get_kind_display()}，请选择党支部或党小组。"
            )
        destination = destination or (to_org.name if to_org else "")
    elif kind == TransferKind.OUTSIDE:
        to_org = None
        if not destination:
            errors.add("destination", "转往党组织：转出本系统须填写接收的党组织名称。")
    _day(errors, "issued_on", "开具日期", issued_on, not_before=member.joined_on, not_before_label="入党日期")
    if dues_paid_to is None:
        errors.add("dues_paid_to", "党费交至：必填（介绍信须注明党费交到哪个月）。")
    else:
        dues_paid_to = dues_paid_to.replace(day=1)
        if issued_on and dues_paid_to > months_after(issued_on.replace(day=1), 12):
            errors.add("dues_paid_to", "党费交至：不能超过开具月份之后12个月。")
        elif dues_paid_to < member.joined_on.replace(day=1):
            errors.add("dues_paid_to", "党费交至：不能早于入党月份。")
    if Transfer.objects.filter(member=member, state=TransferState.ISSUED).exists():
        errors.add("member", f"党员：{member.person.name}已有一封未办结的介绍信，请先确认或撤销。")
    errors.raise_if_any()
    assert issued_on is not None and dues_paid_to is not None
    valid_until = months_after(issued_on, rule("mobility.letter_valid_months", member.org, issued_on))
    try:
        with transaction.atomic():
            t = Transfer.objects.create(
                member=member,
                kind=kind,
                from_org=member.org,
                to_org=to_org,
                destination=destination,
                letter_number=letter_number,
                issued_on=issued_on,
                valid_until=valid_until,
                dues_paid_to=dues_paid_to,
                issued_by=actor,
                note=note,
            )
            changes = {
                "letter_number": [None, letter_number],
                "destination": [None, destination],
                "valid_until": [None, valid_until.isoformat()],
                "dues_paid_to": [None, f"{dues_paid_to:%Y-%m}"],
            }
            for path in {member.org.path, *([to_org.path] if to_org else [])}:
                audit.record(actor=actor, action="transfer_issue", target=t, org_path=path, changes=changes)
    except IntegrityError:
        raise DomainError(
            field="member", message=f"党员：{member.person.name}已有一封未办结的介绍信。"
        ) from None
    return t


def transfer_confirm(*, actor, transfer: Transfer, on: dt.date) -> Transfer:
    """Inside the system: the receiving side confirms the member reported with the letter; the
    relation moves that day (people.services.member_move, with the issuer answering for the
    sending side). Out of the system: the sending side records the receipt (回执); the member leaves
    this system's rolls that day (member_leave, reason transferred out). Within the letter's validity."""
    inside = transfer.kind == TransferKind.INSIDE
    side = transfer.to_org if inside else transfer.from_org
    if side is None or not can_access_org(actor, TRANSFER_RELATION, side):
        raise NotFound()
    member = transfer.member
    errors = ErrorCollector()
    if transfer.state != TransferState.ISSUED:
        errors.add("__all__", f"介绍信：已{transfer.get_state_display()}，不能再确认。")
    elif member.org_id != transfer.from_org_id:
        errors.add("__all__", "介绍信：开具后该党员的组织关系已变动，请转出方撤销后重新开具。")
    _day(errors, "on", "接收日期", on, not_before=transfer.issued_on, not_before_label="开具日期")
    if on and on > transfer.valid_until:
        errors.add(
            "on", f"接收日期：介绍信有效期至{transfer.valid_until:%Y-%m-%d}，已过期，请转出方撤销后重新开具。"
        )
    errors.raise_if_any()
    with transaction.atomic():
        done = Transfer.objects.filter(pk=transfer.pk, state=TransferState.ISSUED).update(
            state=TransferState.CONFIRMED, confirmed_on=on, confirmed_by=actor
        )
        if not done:  # confirmed twice at once
            raise DomainError(field="__all__", message="介绍信：已办结。")
        transfer.refresh_from_db()
        if inside:
            assert transfer.to_org is not None
            people_services.member_move(
                actor=actor,
                member=member,
                to_org=transfer.to_org,
                on=on,
                issued_by=transfer.issued_by,
                note=f"介绍信 {transfer.letter_number}",
            )
            Outflow.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
        else:
            people_services.member_leave(
                actor=actor,
                member=member,
                on=on,
                reason="transferred_out",
                note=f"介绍信 {transfer.letter_number} 转往 {transfer.destination}",
            )
            Outflow.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
        for path in {transfer.from_org.path, *([transfer.to_org.path] if transfer.to_org else [])}:
            audit.record(
                actor=actor,
                action="transfer_confirm",
                target=transfer,
                org_path=path,
                changes={"ended_on": [None, on.isoformat()]},
            )
    return transfer


def transfer_cancel(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """The sending side withdraws a letter not yet received (expired, the member stays): the pocket
    flag goes with it."""
    if not can_access_org(actor, TRANSFER_RELATION, transfer.from_org):
        raise NotFound()
    errors = ErrorCollector()
    if transfer.state != TransferState.ISSUED:
        errors.add("__all__", f"介绍信：已{transfer.get_state_display()}，不能撤销。")
    reason = _text(errors, "reason", "撤销原因", reason, 200, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        today = timezone.localdate()
        done = Transfer.objects.filter(pk=transfer.pk, state=TransferState.ISSUED).update(
            state=TransferState.CANCELLED, cancelled_on=today, note=reason
        )
        if not done:
            raise DomainError(field="__all__", message="介绍信：已办结。")
        transfer.refresh_from_db()
        for path in {transfer.from_org.path, *([transfer.to_org.path] if transfer.to_org else [])}:
            audit.record(
                actor=actor,
                action="transfer_cancel",
                target=transfer,
                org_path=path,
                changes={"reason": [None, reason]},
            )
    return transfer


# --- 党章第九条: the secretary's record of assigned work not done ------------------------------------


def work_sign_record(*, actor, member, since: dt.date, reason: str) -> WorkSign:
    """The secretary records that a member has not done the work assigned since ``since``, and what
    it was: one of 党章第九条's three signs, shown to the branch once six months have passed. Never
    acted on automatically."""
    if not can_access_org(actor, MANAGE_MOBILITY, member.org):
        raise NotFound()
    errors = ErrorCollector()
    _on_rolls(errors, member)
    _day(errors, "since", "起始日期", since)
    reason = _text(errors, "reason", "分配的工作及未完成情况", reason, 200, required=True)
    if WorkSign.objects.filter(member=member, cleared_on__isnull=True).exists():
        errors.add("member", f"党员：{member.person.name}已有未撤销的记录。")
    errors.raise_if_any()
    with transaction.atomic():
        sign = WorkSign.objects.create(member=member, since=since, reason=reason, recorded_by=actor)
        audit.record(
            actor=actor,
            action="create",
            target=sign,
            org_path=member.org.path,
            changes={"since": [None, since.isoformat()], "reason": [None, reason]},
        )
    return sign


def work_sign_clear(*, actor, sign: WorkSign, on: dt.date) -> WorkSign:
    if not can_access_org(actor, MANAGE_MOBILITY, sign.member.org):
        raise NotFound()
    errors = ErrorCollector()
    if sign.cleared_on is not None:
        errors.add("on", "撤销日期：该记录已撤销。")
    _day(errors, "on", "撤销日期", on, not_before=sign.since, not_before_label="起始日期")
    errors.raise_if_any()
    with transaction.atomic():
        sign.cleared_on = on
        sign.save(update_fields=["cleared_on"])
        audit.record(
            actor=actor,
            action="update",
            target=sign,
            org_path=sign.member.org.path,
            changes={"ended_on": [None, on.isoformat()]},
        )
    return sign


# --- the four ledgers (003): host enterprises and migrant workers ----------------------------------


def _ledger_org(errors: ErrorCollector, actor, org: Org | None) -> None:
    if org is None:
        errors.add("org", "登记单位：必填。")
    elif not can_access_org(actor, MANAGE_MOBILITY, org):
        errors.add("org", "登记单位：不在您的管辖范围内。")
    elif org.kind not in LEDGER_ORG_KINDS:
        errors.add("org", "登记单位：台账由县、乡镇党委或村（社区）党组织登记。")


def enterprise_save(
    *,
    actor,
    org: Org,
    name: str,
    place: str,
    uscc: str = "",
    liaison: str = "",
    has_party_org: bool = False,
    enterprise: HostEnterprise | None = None,
) -> HostEnterprise:
    """Register (or, with ``enterprise``, change) a 农民工集聚地企业; the 统一社会信用代码 is checked
    as grids checks a unit's (python-stdnum, GB 32100-2015)."""
    if enterprise is not None and not can_access_org(actor, MANAGE_MOBILITY, enterprise.org):
        raise NotFound()
    errors = ErrorCollector()
    _ledger_org(errors, actor, org)
    name = _text(errors, "name", "企业名称", name, 100, required=True)
    place = _text(errors, "place", "所在地", place, 100, required=True)
    liaison = _text(errors, "liaison", "党建联络员", liaison, 50)
    code, problem = grids_services.parse_uscc(uscc)
    if problem:
        errors.add("uscc", problem)
    elif code and org is not None:
        dup = HostEnterprise.objects.filter(org=org, uscc=code)
        if enterprise is not None:
            dup = dup.exclude(pk=enterprise.pk)
        if dup.exists():
            errors.add("uscc", "统一社会信用代码：本单位已登记该企业。")
    errors.raise_if_any()
    values = {
        "org": org,
        "name": name,
        "place": place,
        "uscc": code,
        "liaison": liaison,
        "has_party_org": has_party_org,
    }
    with transaction.atomic():
        before = {}
        if enterprise is None:
            enterprise = HostEnterprise(**values)
        else:
            before = {"name": enterprise.name, "uscc": enterprise.uscc, "place": enterprise.place}
            for k, v in values.items():
                setattr(enterprise, k, v)
        enterprise.save()
        changes = audit.diff(before, {"name": name, "uscc": code, "place": place})
        if changes:
            audit.record(
                actor=actor,
                action="update" if before else "create",
                target=enterprise,
                org_path=org.path,
                changes=changes,
            )
    return enterprise


def worker_save(
    *,
    actor,
    org: Org,
    name: str,
    gender: str,
    destination: str,
    since: dt.date,
    home: Area | None = None,
    birth_year: int | None = None,
    enterprise: HostEnterprise | None = None,
    trade: str = "",
    contact: str = "",
    activist: bool = False,
    member=None,
    returned_on: dt.date | None = None,
    worker: MigrantWorker | None = None,
) -> MigrantWorker:
    """Register (or change) a 农民工 of the county (003's first ledger, 登记备案、动态管理); ``activist``
    puts them on the third ledger (农民工入党积极分子)."""
    if worker is not None and not can_access_org(actor, MANAGE_MOBILITY, worker.org):
        raise NotFound()
    errors = ErrorCollector()
    _ledger_org(errors, actor, org)
    name = _text(errors, "name", "姓名", name, 50, required=True)
    destination = _text(errors, "destination", "务工地", destination, 100, required=True)
    trade = _text(errors, "trade", "从事行业（技能）", trade, 50)
    contact = _text(errors, "contact", "联系方式", contact, 50)
    if gender not in ("male", "female"):
        errors.add("gender", "性别：请选择男或女。")
    this_year = timezone.localdate().year
    if birth_year is not None and not this_year - 80 <= birth_year <= this_year - 16:
        errors.add("birth_year", f"出生年份：应在{this_year - 80}至{this_year - 16}年之间（务工年龄）。")
    _day(errors, "since", "外出务工时间", since)
    if returned_on is not None:
        _day(
            errors, "returned_on", "返乡时间", returned_on, not_before=since, not_before_label="外出务工时间"
        )
    if home is not None and not can_access_area(actor, MANAGE_MOBILITY, home):
        errors.add("home", "户籍所在村：不在您的管辖范围内。")
    if enterprise is not None and not can_access_org(actor, MANAGE_MOBILITY, enterprise.org):
        errors.add("enterprise", "务工企业：请选择您管辖范围内登记的企业。")
    if member is not None and not can_access_org(actor, MANAGE_MOBILITY, member.org):
        errors.add("member", "党员：不在您的管辖范围内。")
    if activist and member is not None:
        errors.add("activist", "入党积极分子：已是党员的，不再列入积极分子台账。")
    errors.raise_if_any()
    values = {
        "org": org,
        "home": home,
        "name": name,
        "gender": gender,
        "birth_year": birth_year,
        "destination": destination,
        "enterprise": enterprise,
        "trade": trade,
        "contact": contact,
        "since": since,
        "activist": activist,
        "member": member,
        "returned_on": returned_on,
    }
    with transaction.atomic():
        before = {}
        if worker is None:
            worker = MigrantWorker(**values)
        else:
            before = {
                "name": worker.name,
                "destination": worker.destination,
                "activist": worker.activist,
                "ended_on": worker.returned_on,
            }
            for k, v in values.items():
                setattr(worker, k, v)
        worker.save()
        changes = audit.diff(
            before, {"name": name, "destination": destination, "activist": activist, "ended_on": returned_on}
        )
        if changes:
            audit.record(
                actor=actor,
                action="update" if before else "create",
                target=worker,
                org_path=org.path,
                changes=changes,
            )
    return worker
