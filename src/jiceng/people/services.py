"""People writes. Every function validates everything first (all field errors at once), then
writes in one transaction with its audit entry. Personal values reach the audit log masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from jiceng.core import audit, crypto
from jiceng.core.dates import years_after
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Area, AreaKind, Org, OrgKind
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_area, can_access_org
from jiceng.core.services import org_path_for_area

from .models import (
    COMMITTEE_POSTS,
    ETHNICITIES,
    SINGLE_HOLDER_POSTS,
    CadrePost,
    Committee,
    Education,
    Gender,
    Household,
    LeaveReason,
    Membership,
    MemberStatus,
    Mobility,
    PartyMember,
    Person,
    Post,
)
from .plugin import CHANGE_MEMBER, FIELD_LABELS
from .validators import normalise_phone, parse_id_number

PERSON_FIELDS = ("name", "gender", "ethnicity", "birth_date", "education", "id_number", "phone", "area")
MEMBER_FIELDS = ("org", "status", "joined_on", "full_on", "mobility", "mobility_note", "remarks")


# The choices as sets: ``Choices.values`` builds a new list on every call, which a bulk import
# (one check per row) would pay hundreds of thousands of times.
_GENDERS, _EDUCATIONS = frozenset(Gender.values), frozenset(Education.values)
_STATUSES, _MOBILITIES = frozenset(MemberStatus.values), frozenset(Mobility.values)


def _id_number_taken(digest: str, person: Person | None) -> bool:
    dup = Person.objects.filter(id_number_digest=digest)
    if person is not None:
        dup = dup.exclude(pk=person.pk)
    return dup.exists()


# An arbitrary constant naming the "registering members" lock (pg_advisory_xact_lock).
_REGISTRATION_LOCK = 0x6A6963656E67  # "jiceng"


def lock_registrations(digests: list[str], field: str = "id_number") -> None:
    """Last in the registering transaction, once its persons are inserted: take the registration
    lock, then check that none of ``digests`` (ID numbers) is now held by a second person, so two
    registrations of the same person cannot both pass — a double-submitted import would otherwise
    insert every person twice (the digest column is not unique: generated test data can collide).
    Taken at the end, the lock is held for the check and the commit only (a 100,000-row import
    does not hold up every other registration while it writes): a transaction that gets the lock
    after another committed sees that one's rows. PostgreSQL only; SQLite, the demo database,
    serialises writers anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [_REGISTRATION_LOCK])
    if held_twice(digests):
        raise DomainError(
            field=field,
            message="身份证号：检查之后，已有相同身份证号的党员被登记（可能是重复提交），本次未登记任何人，请刷新后核对。",
        )


def held_twice(digests) -> set[str]:
    """Which of these digests more than one person holds, one query per 2,000."""
    wanted = sorted({d for d in digests if d})
    found: set[str] = set()
    for i in range(0, len(wanted), 2000):
        found.update(
            Person.objects.filter(id_number_digest__in=wanted[i : i + 2000])
            .values("id_number_digest")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list("id_number_digest", flat=True)
        )
    return found


def registered_digests(digests) -> set[str]:
    """Which of these ID-number digests a person already holds, one query per 2,000."""
    wanted = sorted({d for d in digests if d})
    found: set[str] = set()
    for i in range(0, len(wanted), 2000):
        found.update(
            Person.objects.filter(id_number_digest__in=wanted[i : i + 2000]).values_list(
                "id_number_digest", flat=True
            )
        )
    return found


def _check_person(
    errors: ErrorCollector,
    actor,
    data: dict[str, Any],
    person: Person | None,
    *,
    id_taken: Callable[[str, Person | None], bool] = _id_number_taken,
) -> dict[str, Any]:
    """Validate the person part of ``data`` (merged over ``person``); return cleaned values.
    ``id_taken(digest, person)``: whether another person holds the ID number (a bulk import
    answers it from one query for the whole file)."""
    clean: dict[str, Any] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors.add("name", "姓名：必填。")
    elif len(name) > 50:
        errors.add("name", "姓名：不能超过50个字。")
    clean["name"] = name
    if data.get("gender") not in _GENDERS:
        errors.add("gender", "性别：请选择男或女。")
    clean["gender"] = data.get("gender")
    ethnicity = data.get("ethnicity") or "汉族"
    if ethnicity not in ETHNICITIES:
        errors.add("ethnicity", f"民族：“{ethnicity}”不是56个民族之一。")
    clean["ethnicity"] = ethnicity
    education = data.get("education") or ""
    if education and education not in _EDUCATIONS:
        errors.add("education", f"学历：未知学历“{education}”。")
    clean["education"] = education
    birth = data.get("birth_date")
    if birth and birth > timezone.localdate():
        errors.add("birth_date", "出生日期：不能晚于今天。")
    clean["birth_date"] = birth

    id_number = (data.get("id_number") or "").strip()
    clean["id_number"] = None  # None: leave unchanged
    if id_number and "*" not in id_number:  # a masked value coming back from a form means "unchanged"
        info, msg = parse_id_number(id_number)
        if info is None:
            errors.add("id_number", msg or "身份证号：格式不正确。")
        else:
            clean["id_number"] = info.number
            if birth and birth != info.birth_date:
                errors.add(
                    "birth_date", f"出生日期：与身份证号中的出生日期（{info.birth_date:%Y-%m-%d}）不一致。"
                )
            clean["birth_date"] = info.birth_date
            if clean["gender"] in _GENDERS and clean["gender"] != info.gender:
                errors.add(
                    "gender", f"性别：与身份证号第17位（{'男' if info.gender == 'male' else '女'}）不一致。"
                )
            if id_taken(crypto.digest(info.number, field="id_number"), person):
                errors.add("id_number", "身份证号：该号码已登记在另一人名下，同一人只建一条档案。")
    elif id_number == "" and "id_number" in data:
        clean["id_number"] = ""
    elif person is not None and person.id_number_ciphertext:
        # The stored ID number still decides: an edited birth date or gender must agree with it.
        info, _ = parse_id_number(crypto.decrypt(person.id_number_ciphertext, field="id_number"))
        if info and not birth:
            clean["birth_date"] = info.birth_date  # cannot be cleared while the number says otherwise
        if info and birth and birth != info.birth_date:
            errors.add(
                "birth_date", f"出生日期：与身份证号中的出生日期（{info.birth_date:%Y-%m-%d}）不一致。"
            )
        if info and clean["gender"] in _GENDERS and clean["gender"] != info.gender:
            errors.add(
                "gender", f"性别：与身份证号第17位（{'男' if info.gender == 'male' else '女'}）不一致。"
            )

    phone_in = data.get("phone")
    clean["phone"] = None
    if phone_in is not None and "*" not in phone_in:
        phone, msg = normalise_phone(phone_in)
        if msg:
            errors.add("phone", msg)
        clean["phone"] = phone

    area = data.get("area")
    if area is not None and not can_access_area(actor, CHANGE_MEMBER, area):
        errors.add("area", "居住地：不在您的管辖范围内。")
    clean["area"] = area
    return clean


def _township_anchor(org: Org) -> str:
    """Path of the nearest committee below the root above ``org`` (the township committee)."""
    step = Org.steplen
    committees = (
        Org.objects.filter(
            path__in=[org.path[:i] for i in range(2 * step, len(org.path) + 1, step)], kind=OrgKind.COMMITTEE
        )
        .order_by("-depth")
        .values_list("path", flat=True)
    )
    return committees.first() or org.path[:step]


def _check_member(
    errors: ErrorCollector,
    actor,
    data: dict[str, Any],
    birth: dt.date | None,
    current_org: Org | None = None,
    *,
    rule: Callable[..., Any] = rule,
) -> dict[str, Any]:
    """``rule``: the rule-pack look-up (a bulk import passes one that remembers each org's answer)."""
    clean: dict[str, Any] = {}
    org: Org | None = data.get("org")
    if org is None:
        errors.add("org", "所属党组织：必填。")
    elif not can_access_org(actor, CHANGE_MEMBER, org):
        errors.add("org", "所属党组织：不在您的管辖范围内，不能把党员编入该组织。")
    elif (
        current_org is not None
        and org != current_org
        and _township_anchor(org) != _township_anchor(current_org)
    ):
        errors.add(
            "org", "所属党组织：跨乡镇（街道）调整党员属于组织关系转接，须双方确认，不能在此直接修改。"
        )
    else:
        kinds = rule("people.member_org_kinds", org)
        if org.kind not in kinds:
            allowed = "、".join(str(OrgKind(k).label) for k in kinds)
            errors.add(
                "org",
                f"所属党组织：党员应编入{allowed}，不能直接编入{org.get_kind_display()}（支部工作条例第三条）。",
            )
    clean["org"] = org

    status = data.get("status")
    if status not in _STATUSES:
        errors.add("status", "党员类别：请选择正式党员或预备党员。")
    clean["status"] = status
    today = timezone.localdate()
    joined, full = data.get("joined_on"), data.get("full_on")
    if not joined:
        errors.add("joined_on", "入党日期：必填。")
    elif joined > today:
        errors.add("joined_on", "入党日期：不能晚于今天。")
    elif birth and years_after(birth, rule("people.min_member_age", org)) > joined:
        errors.add(
            "joined_on", f"入党日期：入党时应年满{rule('people.min_member_age', org)}周岁（党章第一条）。"
        )
    if status == MemberStatus.FULL:
        if not full:
            errors.add("full_on", "转正日期：正式党员必须填写转正日期。")
        elif full > today:
            errors.add("full_on", "转正日期：不能晚于今天。")
        elif joined and full < years_after(joined, rule("people.probation_years", org)):
            errors.add(
                "full_on",
                f"转正日期：预备期为{rule('people.probation_years', org)}年，转正不能早于入党满一年（党章第七条）。",
            )
    elif status == MemberStatus.PROBATIONARY and full:
        errors.add("full_on", "转正日期：预备党员尚未转正，不应填写转正日期。")
    clean["joined_on"], clean["full_on"] = joined, (full if status == MemberStatus.FULL else None)

    mobility = data.get("mobility") or Mobility.NONE
    if mobility not in _MOBILITIES:
        errors.add("mobility", "流动状态：未知取值。")
    note = (data.get("mobility_note") or "").strip()
    if mobility == Mobility.OUTFLOW and not note:
        errors.add("mobility_note", "流动去向及联系方式：外出流动党员必须登记去向和联系方式，防止失联。")
    if len(note) > 200:
        errors.add("mobility_note", f"流动去向及联系方式：最多200个字符（现为{len(note)}个），系统不会截断。")
    clean["mobility"], clean["mobility_note"] = mobility, note
    remarks = (data.get("remarks") or "").strip()
    if len(remarks) > 500:
        errors.add("remarks", f"备注：最多500个字符（现为{len(remarks)}个），系统不会截断。")
    clean["remarks"] = remarks
    return clean


def _apply_person(person: Person, clean: dict[str, Any]) -> None:
    for f in ("name", "gender", "ethnicity", "birth_date", "education", "area"):
        setattr(person, f, clean[f])
    if clean["id_number"] is not None:
        number = clean["id_number"]
        person.id_number_ciphertext = crypto.encrypt(number, field="id_number")
        person.id_number_digest = crypto.digest(number, field="id_number")
        person.id_number_tail_digest = crypto.digest(number[-4:], field="id_number_tail") if number else ""
        person.id_number_masked = crypto.mask_id_number(number)
    if clean["phone"] is not None:
        phone = clean["phone"]
        person.phone_ciphertext = crypto.encrypt(phone, field="phone")
        person.phone_digest = crypto.digest(phone, field="phone")
        person.phone_masked = crypto.mask_phone(phone)


def _snapshot(member: PartyMember) -> dict[str, Any]:
    """What the audit log records: masked personal values, display names for relations."""
    p = member.person
    return {
        "name": p.name,
        "gender": p.gender,
        "ethnicity": p.ethnicity,
        "birth_date": p.birth_date,
        "education": p.education,
        "id_number": p.id_number_masked,
        "phone": p.phone_masked,
        "area": p.area.name if p.area is not None else None,
        "org": member.org.name if member.org_id else None,
        "status": member.status,
        "joined_on": member.joined_on,
        "full_on": member.full_on,
        "mobility": member.mobility,
        "mobility_note": member.mobility_note,
        "remarks": member.remarks,
    }


def member_check_new(
    errors: ErrorCollector,
    actor,
    data: dict[str, Any],
    *,
    id_taken: Callable[[str, Person | None], bool] = _id_number_taken,
    rule: Callable[..., Any] = rule,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every rule a new member must pass (member_create, and each row of a bulk import):
    (person values, member values) cleaned, the problems added to ``errors``."""
    person_clean = _check_person(errors, actor, data, None, id_taken=id_taken)
    member_clean = _check_member(errors, actor, data, person_clean["birth_date"], rule=rule)
    return person_clean, member_clean


def member_build(person_clean: dict[str, Any], member_clean: dict[str, Any]) -> PartyMember:
    """The unsaved member and person (personal data encrypted, digested and masked) for values that
    passed ``member_check_new``."""
    person = Person()
    _apply_person(person, person_clean)
    return PartyMember(person=person, **member_clean)


def first_memberships(members: list[PartyMember]) -> list[Membership]:
    """The first history row of new (saved) members, for a bulk writer to insert after them."""
    return [Membership(member_id=m.pk, org_id=m.org_id, since=m.joined_on) for m in members]


def member_created_changes(member: PartyMember) -> dict[str, list[Any]]:
    """The audit entry's changes for a new member: every field, personal values masked."""
    return audit.diff({}, _snapshot(member))


def member_create(*, actor, **data: Any) -> PartyMember:
    """Register a party member (and their person record). All fields of PERSON_FIELDS and
    MEMBER_FIELDS are accepted; an invalid value anywhere stores nothing."""
    errors = ErrorCollector()
    person_clean, member_clean = member_check_new(errors, actor, data)
    errors.raise_if_any()
    with transaction.atomic():
        member = member_build(person_clean, member_clean)
        member.person.save(force_insert=True)
        member.save(force_insert=True)
        Membership.objects.create(member=member, org=member.org, since=member.joined_on)
        audit.record(
            actor=actor,
            action="create",
            target=member,
            org_path=member.org.path,
            changes=member_created_changes(member),
        )
        lock_registrations([member.person.id_number_digest])
    return member


def member_update(*, actor, member: PartyMember, **changes: Any) -> PartyMember:
    """Change any of PERSON_FIELDS / MEMBER_FIELDS. ``member`` must come from a selector (scoped);
    the actor also needs CHANGE_MEMBER on the member's current organisation."""
    if not can_access_org(actor, CHANGE_MEMBER, member.org):
        raise NotFound()
    unknown = set(changes) - set(PERSON_FIELDS) - set(MEMBER_FIELDS)
    if unknown:
        raise DomainError(field=sorted(unknown)[0], message=f"字段“{sorted(unknown)[0]}”不能修改。")
    person = member.person
    current = {
        "name": person.name,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "birth_date": person.birth_date,
        "education": person.education,
        "area": person.area,
        "org": member.org,
        "status": member.status,
        "joined_on": member.joined_on,
        "full_on": member.full_on,
        "mobility": member.mobility,
        "mobility_note": member.mobility_note,
        "remarks": member.remarks,
    }
    merged = {**current, **changes}
    if "id_number" in changes and changes["id_number"] and "birth_date" not in changes:
        merged["birth_date"] = None  # the ID number decides the birth date unless both are given
    errors = ErrorCollector()
    person_clean = _check_person(errors, actor, merged, person)
    member_clean = _check_member(errors, actor, merged, person_clean["birth_date"], current_org=member.org)
    moving = member_clean["org"] is not None and member_clean["org"] != member.org
    if moving and member.left_on is not None:
        errors.add(
            "org", f"所属党组织：该党员已于{member.left_on:%Y-%m-%d}离开党员名册，不能再调整所属组织。"
        )
    history = list(Membership.objects.filter(member=member).order_by("since", "pk"))
    joined = member_clean["joined_on"]
    if joined and history and joined != member.joined_on:
        first = history[0]
        if first.until is not None and joined >= first.until:
            errors.add(
                "joined_on",
                f"入党日期：不能晚于该党员第一次调整组织关系的日期（{first.until:%Y-%m-%d}）。",
            )
    errors.raise_if_any()
    old_org = member.org
    with transaction.atomic():
        before = _snapshot(member)
        _apply_person(person, person_clean)
        person.save()
        for f, v in member_clean.items():
            setattr(member, f, v)
        member.save()
        if history and history[0].since != member.joined_on:
            Membership.objects.filter(pk=history[0].pk).update(since=member.joined_on)
        if moving:  # a move inside the township: the history closes the old period today
            _move_history(member, old_org, member.org, timezone.localdate())
        changed = audit.diff(before, _snapshot(member))
        if changed:
            audit.record(
                actor=actor, action="update", target=member, org_path=member.org.path, changes=changed
            )
        if member.org.path != old_org.path:  # the organisation the member left sees the move too
            audit.record(actor=actor, action="update", target=member, org_path=old_org.path, changes=changed)
    return member


# --- membership history: moves and leaving --------------------------------------------------------


def _move_history(member: PartyMember, old_org: Org, new_org: Org, on: dt.date) -> None:
    """Close the open period on ``on`` and open one in ``new_org`` from ``on``. A period opened the
    same day is re-pointed instead (a same-day correction leaves no empty period behind)."""
    current = Membership.objects.filter(member=member, until__isnull=True).first()
    if current is None:  # a member written before the history existed (bulk writers add it)
        Membership.objects.create(member=member, org=new_org, since=on)
        return
    if current.since >= on:
        current.org = new_org
        current.save(update_fields=["org"])
        return
    current.until = on
    current.save(update_fields=["until"])
    Membership.objects.create(member=member, org=new_org, since=on)


def _open_since(member: PartyMember) -> dt.date:
    since = (
        Membership.objects.filter(member=member, until__isnull=True).values_list("since", flat=True).first()
    )
    return since or member.joined_on


def member_move(
    *, actor, member: PartyMember, to_org: Org, on: dt.date, issued_by=None, note: str = ""
) -> PartyMember:
    """Move a member's relation to ``to_org`` from ``on`` (the history closes the old period that day
    and opens the new one; ``PartyMember.org`` follows). Inside a township (乡镇/街道党委) the actor
    needs the right over both organisations. A relation transfer (组织关系转接) confirmed by the
    receiving side passes ``issued_by``, the user who issued it: then the actor answers for
    ``to_org`` and ``issued_by`` for the member's organisation, and the move may cross townships."""
    from_org = member.org
    sender = issued_by if issued_by is not None else actor
    if not can_access_org(sender, CHANGE_MEMBER, from_org):
        raise NotFound()
    errors = ErrorCollector()
    today = timezone.localdate()
    if to_org is None:
        errors.add("to_org", "转入组织：必填。")
    elif not can_access_org(actor, CHANGE_MEMBER, to_org):
        errors.add("to_org", "转入组织：不在您的管辖范围内。")
    elif to_org.pk == from_org.pk:
        errors.add("to_org", f"转入组织：该党员已在{to_org.name}。")
    else:
        kinds = rule("people.member_org_kinds", to_org)
        if to_org.kind not in kinds:
            allowed = "、".join(str(OrgKind(k).label) for k in kinds)
            errors.add(
                "to_org",
                f"转入组织：党员应编入{allowed}，不能编入{to_org.get_kind_display()}（支部工作条例第三条）。",
            )
        elif issued_by is None and _township_anchor(to_org) != _township_anchor(from_org):
            errors.add(
                "to_org",
                "转入组织：跨乡镇（街道）调整属于组织关系转接，须由转出方开具、转入方确认（流动党员页面）。",
            )
    if member.left_on is not None:
        errors.add("member", f"党员：已于{member.left_on:%Y-%m-%d}离开党员名册，不能转接。")
    if on is None:
        errors.add("on", "转接日期：必填。")
    elif on > today:
        errors.add("on", "转接日期：不能晚于今天。")
    elif on < (since := _open_since(member)):
        errors.add("on", f"转接日期：不能早于该党员编入现组织的日期（{since:%Y-%m-%d}）。")
    note = (note or "").strip()
    if len(note) > 200:
        errors.add("note", f"说明：最多200个字符（现为{len(note)}个）。")
    errors.raise_if_any()
    with transaction.atomic():
        _move_history(member, from_org, to_org, on)
        member.org = to_org
        member.save(update_fields=["org", "updated_at"])
        changes = {"org": [from_org.name, to_org.name], "moved_on": [None, on.isoformat()]}
        if note:
            changes["note"] = [None, note]
        for path in (to_org.path, from_org.path):  # both sides' auditors see the move
            audit.record(actor=actor, action="move", target=member, org_path=path, changes=changes)
    return member


def member_leave(*, actor, member: PartyMember, on: dt.date, reason: str, note: str = "") -> PartyMember:
    """The member is no longer on this system's rolls from ``on`` (not counted that day): relation
    transferred out of the system, died, left or removed. The open history period closes on ``on``.
    Nothing is deleted: past figures still count the member where they were."""
    if not can_access_org(actor, CHANGE_MEMBER, member.org):
        raise NotFound()
    errors = ErrorCollector()
    if member.left_on is not None:
        errors.add("member", f"党员：已于{member.left_on:%Y-%m-%d}离开党员名册。")
    if reason not in LeaveReason.values:
        errors.add("reason", "离开原因：请选择组织关系转出、去世、退党或除名。")
    if on is None:
        errors.add("on", "离开日期：必填。")
    elif on > timezone.localdate():
        errors.add("on", "离开日期：不能晚于今天。")
    elif on < (since := _open_since(member)):
        errors.add("on", f"离开日期：不能早于该党员编入现组织的日期（{since:%Y-%m-%d}）。")
    note = (note or "").strip()
    if len(note) > 200:
        errors.add("note", f"说明：最多200个字符（现为{len(note)}个）。")
    errors.raise_if_any()
    with transaction.atomic():
        Membership.objects.filter(member=member, until__isnull=True).update(until=on)
        member.left_on, member.left_reason = on, reason
        member.save(update_fields=["left_on", "left_reason", "updated_at"])
        changes = {"left_on": [None, on.isoformat()], "left_reason": [None, reason]}
        if note:
            changes["note"] = [None, note]
        audit.record(actor=actor, action="leave", target=member, org_path=member.org.path, changes=changes)
    return member


REVEALABLE = ("id_number", "phone")


def person_reveal(*, actor, member: PartyMember, field: str) -> str:
    """Full ID or phone number, for roles that need it; every reveal is logged (PIPL)."""
    if field not in REVEALABLE:
        raise DomainError(field="field", message="只能查看身份证号或联系电话。")
    if not can_access_org(actor, Perm.REVEAL_PERSONAL, member.org):
        raise NotFound()
    value = crypto.decrypt(getattr(member.person, f"{field}_ciphertext"), field=field)
    audit.record(
        actor=actor,
        action="reveal",
        target=member,
        org_path=member.org.path,
        changes={"field": [None, str(FIELD_LABELS[field])]},
    )
    return value


def members_export_record(*, actor, org_paths: list[str], count: int, filters: dict[str, Any]) -> None:
    """Exports of personal data are logged with what was asked for and how many rows left, once
    under each subtree the rows may have come from, so every auditor above them sees it."""
    for path in org_paths:
        audit.record(
            actor=actor,
            action="export",
            target_type="people.partymember",
            target_repr=f"党员名册导出 {count} 人",
            org_path=path,
            changes={"filters": [None, filters], "rows": [None, count]},
        )


def household_create(*, actor, area: Area, address: str, head_name: str, tags=()) -> Household:
    errors = ErrorCollector()
    if not can_access_area(actor, CHANGE_MEMBER, area):
        errors.add("area", "所在区域：不在您的管辖范围内。")
    if not (address or "").strip():
        errors.add("address", "地址：必填。")
    if not (head_name or "").strip():
        errors.add("head_name", "户主：必填。")
    errors.raise_if_any()
    with transaction.atomic():
        hh = Household.objects.create(area=area, address=address.strip(), head_name=head_name.strip())
        if tags:
            hh.tags.set(tags)
        audit.record(
            actor=actor,
            action="create",
            target=hh,
            changes={"address": [None, hh.address]},
            org_path=org_path_for_area(area),
        )
    return hh


def _seat_clash(
    *,
    area: Area,
    committee: str,
    post: str,
    person,
    term_from: dt.date,
    term_to: dt.date | None,
    exclude_pk: int | None = None,
) -> str | None:
    """Overlapping seats: one secretary / one chair per committee at a time, and one seat per person
    per committee at a time."""
    overlapping = CadrePost.objects.filter(
        area=area, committee=committee, term_from__lte=term_to or dt.date.max
    ).filter(Q(term_to__isnull=True) | Q(term_to__gte=term_from))
    if exclude_pk:
        overlapping = overlapping.exclude(pk=exclude_pk)
    if post in SINGLE_HOLDER_POSTS and overlapping.filter(post=post).exists():
        return f"职务：该{Committee(committee).label}在此任期内已有{Post(post).label}，请先结束原任职。"
    if overlapping.filter(person=person).exists():
        return f"人员：{person.name} 在此任期内已在{Committee(committee).label}任职。"
    return None


def _lock_area(area: Area) -> None:
    if connection.vendor == "postgresql":
        Area.objects.select_for_update().filter(pk=area.pk).first()


def cadre_post_create(
    *,
    actor,
    area: Area,
    committee: str,
    post: str,
    person: Person,
    term_from: dt.date,
    term_to: dt.date | None = None,
) -> CadrePost:
    """Seat a person on a village's (community's) party committee or villagers'/residents'
    committee. One secretary and one chair at a time; a villagers' committee belongs to a village,
    a residents' committee to a community; a party committee seat needs a party member admitted by
    the start of the term; the person must be someone the actor may see."""
    from .selectors import person_in_scope_q

    errors = ErrorCollector()
    if not can_access_area(actor, CHANGE_MEMBER, area):
        raise NotFound()
    if not Person.objects.filter(person_in_scope_q(actor), pk=person.pk).exists():
        errors.add("person", "人员：不在您的管辖范围内。")
    if area.kind not in (AreaKind.VILLAGE, AreaKind.COMMUNITY):
        errors.add("area", "村（社区）：两委职务只能设在村或社区。")
    if committee not in Committee.values:
        errors.add("committee", "所在班子：未知取值。")
    elif committee == Committee.VILLAGERS and area.kind == AreaKind.COMMUNITY:
        errors.add("committee", "所在班子：社区设居民委员会，不设村民委员会。")
    elif committee == Committee.RESIDENTS and area.kind == AreaKind.VILLAGE:
        errors.add("committee", "所在班子：村设村民委员会，不设居民委员会。")
    elif post not in COMMITTEE_POSTS[Committee(committee)]:
        errors.add(
            "post",
            f"职务：{Committee(committee).label}不设{Post(post).label if post in Post.values else post}。",
        )
    if term_to and term_to < term_from:
        errors.add("term_to", "任期止：不能早于任期起。")
    if (
        committee == Committee.PARTY
        and not PartyMember.objects.filter(person=person, joined_on__lte=term_from).exists()
    ):
        errors.add("person", "人员：村党组织委员必须是任期开始时已入党的党员。")
    errors.raise_if_any()
    with transaction.atomic():
        _lock_area(area)
        clash = _seat_clash(
            area=area, committee=committee, post=post, person=person, term_from=term_from, term_to=term_to
        )
        if clash:
            raise DomainError(field="post" if clash.startswith("职务") else "person", message=clash)
        cp = CadrePost.objects.create(
            area=area, committee=committee, post=post, person=person, term_from=term_from, term_to=term_to
        )
        audit.record(
            actor=actor,
            action="create",
            target=cp,
            org_path=org_path_for_area(area),
            changes={"post": [None, f"{cp.get_committee_display()}{cp.get_post_display()}"]},
        )
    return cp


def cadre_post_end(*, actor, post: CadrePost, term_to: dt.date) -> CadrePost:
    """End (or correct the end of) a term; it may not be stretched over a successor's term."""
    if not can_access_area(actor, CHANGE_MEMBER, post.area):
        raise NotFound()
    if term_to < post.term_from:
        raise DomainError(field="term_to", message="任期止：不能早于任期起。")
    with transaction.atomic():
        _lock_area(post.area)
        clash = _seat_clash(
            area=post.area,
            committee=post.committee,
            post=post.post,
            person=post.person,
            term_from=post.term_from,
            term_to=term_to,
            exclude_pk=post.pk,
        )
        if clash:
            raise DomainError(field="term_to", message=f"任期止：与其他任职重叠。{clash}")
        before = post.term_to
        post.term_to = term_to
        post.save(update_fields=["term_to"])
        audit.record(
            actor=actor,
            action="update",
            target=post,
            org_path=org_path_for_area(post.area),
            changes=audit.diff({"term_to": before}, {"term_to": term_to}),
        )
    return post


# --- one's own record ("我的") ---------------------------------------------------------------------

SERVICE_LIST_MAX_LINES = 20


def own_card_update(*, actor, member: PartyMember, pledge: str, service_list: str) -> PartyMember:
    """A member keeps their own 党员名片 (001: 亮身份): the pledge and the list of services to the
    people. Only the member themself; audited like every write."""
    if member.person.user_id != actor.pk:
        raise NotFound()
    lines = [line.strip() for line in service_list.splitlines() if line.strip()]
    if len(lines) > SERVICE_LIST_MAX_LINES:
        raise DomainError(
            field="service_list",
            message=f"服务群众工作清单：最多 {SERVICE_LIST_MAX_LINES} 项（现有 {len(lines)} 项），每行一项。",
        )
    cleaned = "\n".join(lines)
    changes = audit.diff(
        {"pledge": member.pledge, "service_list": member.service_list},
        {"pledge": pledge, "service_list": cleaned},
    )
    if not changes:
        return member
    with transaction.atomic():
        member.pledge, member.service_list = pledge, cleaned
        member.save(update_fields=["pledge", "service_list", "updated_at"])
        audit.record(actor=actor, action="update", target=member, org_path=member.org.path, changes=changes)
    return member


def own_reveal(*, actor, member: PartyMember, field: str, password: str) -> str:
    """A member's own full ID or phone number, after they re-enter their password; logged."""
    if member.person.user_id != actor.pk:
        raise NotFound()
    if field not in REVEALABLE:
        raise DomainError(field="field", message="只能查看身份证号或联系电话。")
    if not password or not actor.check_password(password):
        raise DomainError(field="password", message="密码：与当前密码不符，请重新输入。")
    value = crypto.decrypt(getattr(member.person, f"{field}_ciphertext"), field=field)
    audit.record(
        actor=actor,
        action="reveal",
        target=member,
        org_path=member.org.path,
        changes={"field": [None, str(FIELD_LABELS[field])], "own": [None, True]},
    )
    return value


# --- for member development: a person first, a member once admitted --------------------------------


def person_create(*, actor, **data: Any) -> Person:
    """Register a person who is not a member (an applicant for membership, 入党申请人): the fields
    of PERSON_FIELDS, checked as a member's are; ``area`` (residence) is required and must lie in
    the actor's scope."""
    errors = ErrorCollector()
    if data.get("area") is None:
        errors.add("area", "居住地：必填。")
    clean = _check_person(errors, actor, data, None)
    errors.raise_if_any()
    with transaction.atomic():
        person = Person()
        _apply_person(person, clean)
        person.save(force_insert=True)
        assert person.area is not None  # required above
        audit.record(
            actor=actor,
            action="create",
            target=person,
            org_path=org_path_for_area(person.area),
            changes=audit.diff({}, {"name": person.name, "id_number": person.id_number_masked}),
        )
        if person.id_number_digest:
            lock_registrations([person.id_number_digest])
    return person


def member_admit(*, actor, person: Person, org: Org, joined_on: dt.date) -> PartyMember:
    """A probationary member made from an existing person (member development: the higher
    committee's approval). ``joined_on`` is the branch assembly's date (党章第七条)."""
    errors = ErrorCollector()
    if PartyMember.objects.filter(person=person).exists():
        errors.add("person", f"{person.name}已是党员，不能重复接收。")
    clean = _check_member(
        errors,
        actor,
        {"org": org, "status": MemberStatus.PROBATIONARY, "joined_on": joined_on},
        person.birth_date,
    )
    errors.raise_if_any()
    with transaction.atomic():
        member = PartyMember(person=person, **clean)
        member.save(force_insert=True)
        Membership.objects.create(member=member, org=member.org, since=member.joined_on)
        audit.record(
            actor=actor,
            action="create",
            target=member,
            org_path=org.path,
            changes=member_created_changes(member),
        )
    return member
