"""Contact-duty writes: assign a member or cadre to a household, an estate or a building (within
the quota of their role, contacts.quotas), end an assignment, and record a contact visit — a
visit of the grids app in the household's grid, with the member as the visitor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiceng.core import audit
from jiceng.core.errors import ErrorCollector, NotFound
from jiceng.core.models import Area, AreaKind, Org
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org
from jiceng.grids import services as grids_services
from jiceng.people import queries as people_queries

from . import rules as quotas
from .models import ContactDuty, ContactRole
from .plugin import MANAGE_CONTACTS

KIND_ZH = {"households": "户", "estates": "个小区", "buildings": "个楼栋"}
AREA_KINDS = {AreaKind.ESTATE: "estates", AreaKind.BUILDING: "buildings"}


def target_kind(duty: ContactDuty) -> str:
    if duty.household_id or duty.area is None:
        return "households"
    return AREA_KINDS.get(AreaKind(duty.area.kind), "buildings")


def _active(person_id: int, role: str, on: dt.date):
    return ContactDuty.objects.filter(person_id=person_id, role=role, since__lte=on).exclude(until__lt=on)


@transaction.atomic
def assign(
    *,
    actor,
    org: Org,
    person_id: Any,
    role: str,
    since: dt.date | None,
    household_id: Any = None,
    area_id: Any = None,
) -> ContactDuty:
    """Rules: the organisation is the actor's to manage; the person is a party member of it that
    day; the household or the estate/building lies in its area; one target, not both; not the
    same target twice; at most the role's quota of that kind (an under-quota member is flagged,
    not refused)."""
    if not can_access_org(actor, MANAGE_CONTACTS, org) or org.area_id is None:
        raise NotFound()
    errors = ErrorCollector()
    today = timezone.localdate()
    if role not in ContactRole.values:
        errors.add("role", "角色：请选择农村党员、班子成员或科级干部、社区干部或普通党员。")
    if since is None:
        errors.add("since", "起始日期：必填。")
    elif since > today:
        errors.add("since", "起始日期：不能晚于今天。")
    day = since or today
    member = (
        people_queries.memberships_on(day)
        .filter(org__path__startswith=org.path, member__person_id=person_id)
        .select_related("member__person")
        .first()
    )
    if member is None:
        errors.add("person", f"党员：不是{org.name}在{day:%Y-%m-%d}的党员。")
    if bool(household_id) == bool(area_id):
        errors.add("household", "联系对象：选择一户，或一个小区、楼栋（只选一个）。")
    household = area = None
    where = org.area
    assert where is not None  # checked above
    if household_id:
        household = (
            people_queries.households().filter(pk=household_id, area__path__startswith=where.path).first()
        )
        if household is None:
            errors.add("household", f"联系户：不在{where.name}。")
    if area_id:
        area = Area.objects.filter(pk=area_id, path__startswith=where.path, kind__in=AREA_KINDS).first()
        if area is None:
            errors.add("area", f"小区或楼栋：应是{where.name}的小区或楼栋。")
    errors.raise_if_any()
    assert member is not None and since is not None
    person = member.member.person
    kind = "households" if household else AREA_KINDS[area.kind]  # type: ignore[union-attr]
    quota = quotas.quota(rule("contacts.quotas", org), role, kind)
    same = _active(person.pk, role, since).filter(household=household, area=area)
    if same.exists():
        errors.add("household" if household else "area", "联系对象：已分包给该党员。")
    if quota is None:
        errors.add(
            "role",
            f"角色：{ContactRole(role).label}不分包{KIND_ZH[kind]}（规则 contacts.quotas）。",
        )
    else:
        held = _active(person.pk, role, since).filter(
            household__isnull=kind != "households",
            **({} if kind == "households" else {"area__kind": area.kind}),  # type: ignore[union-attr]
        )
        if held.count() >= quota[1]:
            errors.add(
                "household" if household else "area",
                f"联系对象：{ContactRole(role).label}最多分包{quota[1]}{KIND_ZH[kind]}，{person.name}已有{held.count()}。",
            )
    errors.raise_if_any()
    duty = ContactDuty.objects.create(
        person=person, role=role, org=org, household=household, area=area, since=since, created_by=actor
    )
    audit.record(
        actor=actor,
        action="contact_assign",
        target=duty,
        target_repr=f"{person.name}联系{household.address if household else area.name}",  # type: ignore[union-attr]
        org_path=org.path,
        changes={
            "contact_role": [None, str(ContactRole(role).label)],
            "contact_target": [None, household.address if household else area.name],  # type: ignore[union-attr]
            "since": [None, since.isoformat()],
        },
    )
    return duty


@transaction.atomic
def end(*, actor, duty: ContactDuty, until: dt.date | None) -> ContactDuty:
    if not can_access_org(actor, MANAGE_CONTACTS, duty.org):
        raise NotFound()
    errors = ErrorCollector()
    if until is None:
        errors.add("until", "结束日期：必填。")
    elif until < duty.since:
        errors.add("until", f"结束日期：不能早于起始日期（{duty.since:%Y-%m-%d}）。")
    elif until > timezone.localdate():
        errors.add("until", "结束日期：不能晚于今天。")
    if duty.until is not None:
        errors.add("until", f"结束日期：已于{duty.until:%Y-%m-%d}结束。")
    errors.raise_if_any()
    duty.until = until
    duty.save(update_fields=["until"])
    audit.record(
        actor=actor,
        action="contact_end",
        target=duty,
        org_path=duty.org.path,
        changes={"until": [None, until.isoformat()]},  # type: ignore[union-attr]
    )
    return duty


def record_visit(*, actor, duty: ContactDuty, household_id: Any = None, **fields: Any):
    """A visit on the duty: by the member (their own log-in) or by whoever manages the duty for
    them (a member without a phone); to the duty's household, or to a household in its estate or
    building. The grids app checks and writes the visit."""
    own = duty.person.user_id is not None and duty.person.user_id == actor.pk
    if not own and not can_access_org(actor, MANAGE_CONTACTS, duty.org):
        raise NotFound()
    errors = ErrorCollector()
    today = timezone.localdate()
    if duty.until is not None and duty.until < today:
        errors.add("action", "走访：该分包已结束。")
    if duty.household_id:
        household = duty.household
    else:
        block = duty.area
        assert block is not None  # a duty is a household or an estate or building
        household = (
            people_queries.households().filter(pk=household_id, area__path__startswith=block.path).first()
            if household_id
            else None
        )
        if household is None:
            errors.add("household", f"走访户：请选择{block.name}的一户。")
    errors.raise_if_any()
    return grids_services.contact_visit_record(
        actor=actor, household=household, visitor_person=duty.person, **fields
    )
