"""Writes that set up case handling in a county (the county administrator's): departments and their
staff, mediators, Open311 client systems, category copies. Same rules as services.py: checked
first, scoped, one transaction, audited."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiceng.core import audit
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.models import Area, RoleAssignment, User
from jiceng.core.scoping import can_access_area, forget_grants

from . import queries
from .models import (
    Category,
    Channel,
    Department,
    DepartmentStaff,
    Kind,
    LegalAdviser,
    Mediator,
    MediatorTier,
    Open311Client,
)
from .plugin import MANAGE_CASES
from .services import _int_id, _text

KEY_PREFIX = "o311_"


def _county_of(actor, area: Area) -> Area:
    county = area if area.kind == "county" else queries.county_area(area)
    if county is None or not can_access_area(actor, MANAGE_CASES, county):
        raise NotFound()
    return county


def _org_path(area: Area) -> str:
    org = queries.org_for_area(area)
    return org.path if org else ""


@transaction.atomic
def add_department(
    *, actor, area: Area, name: str, code: str = "", parent: Department | None = None
) -> Department:
    """A county department (area: the county) or a township station (area: the township); under
    ``parent`` when given (a station under its county department)."""
    county = _county_of(actor, area)
    errors = ErrorCollector()
    name = _text(errors, "name", "部门名称", name, 100, required=True, name=True)
    code = (code or "").strip()
    if code and (not code.isascii() or len(code) > 40 or not code.replace("_", "").isalnum()):
        errors.add("code", "部门代码：只能用英文字母、数字和下划线，最多40个字符。")
    if area.kind not in ("county", "township", "subdistrict"):
        errors.add("area", "所属区域：应为县或乡镇（街道）。")
    if parent is not None and not parent.area.path.startswith(county.path):
        errors.add("parent", "上级部门：应为本县的部门。")
    if Department.objects.filter(area=area, name=name).exists():
        errors.add("name", f"部门名称：{area.name}已有“{name}”。")
    errors.raise_if_any()
    fields = {"name": name, "code": code, "area": area}
    dep = (
        Department.objects.add_child(parent, fields)
        if parent is not None
        else Department.objects.add_root(fields)
    )
    audit.record(
        actor=actor,
        action="create",
        target=dep,
        target_repr=name,
        org_path=_org_path(area),
        changes={"name": [None, name]},
    )
    return dep


@transaction.atomic
def add_department_staff(*, actor, department: Department, user: User) -> DepartmentStaff:
    """Grant a user a department's cases; they also get the department-handler role on the county's
    committee, which gives them their home page and menu (and nothing of the org tree's data)."""
    county = _county_of(actor, department.area)
    org = queries.county_org(county)
    if org is None:
        raise DomainError(field="department", message="部门：所属县尚未建立党组织。")
    staff, created = DepartmentStaff.objects.get_or_create(department=department, user=user)
    RoleAssignment.objects.get_or_create(user=user, role="department_handler", org=org)
    forget_grants(user)
    if created:
        audit.record(
            actor=actor,
            action="grant",
            target=staff,
            target_repr=f"{department.name} · {user}",
            org_path=org.path,
            changes={"department": [None, department.name], "user": [None, user.username]},
        )
    return staff


@transaction.atomic
def add_mediator(*, actor, area: Area, user: User, tier: str) -> Mediator:
    """1+1+N: a volunteer, community mediator or community judge serving ``area``; also the mediator
    role on the area's organisation (home page, menu)."""
    county = _county_of(actor, area)
    if tier not in MediatorTier.values:
        raise DomainError(field="tier", message="调解员类型：应为调解志愿者、社区调解员或社区法官。")
    org = queries.org_for_area(area) or queries.county_org(county)
    mediator, created = Mediator.objects.get_or_create(user=user, area=area, tier=tier)
    if org is not None:
        RoleAssignment.objects.get_or_create(user=user, role="mediator", org=org)
        forget_grants(user)
    if created:
        audit.record(
            actor=actor,
            action="grant",
            target=mediator,
            target_repr=str(mediator),
            org_path=_org_path(area),
            changes={"tier": [None, tier], "user": [None, user.username]},
        )
    return mediator


def _key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_client(
    *, actor, county: Area, name: str, channel: str = Channel.HOTLINE
) -> tuple[Open311Client, str]:
    """An Open311 api_key for a client system (a 12345 hotline, a city platform); shown once."""
    county = _county_of(actor, county)
    errors = ErrorCollector()
    name = _text(errors, "name", "接入系统名称", name, 60, required=True)
    if channel not in (Channel.HOTLINE, Channel.LABOUR, Channel.WECHAT, Channel.OPEN311):
        errors.add("channel", "渠道：应为12345、12333、微信或Open311。")
    errors.raise_if_any()
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    client = Open311Client.objects.create(
        county=county, name=name, prefix=key[:12], digest=_key_digest(key), channel=channel, created_by=actor
    )
    audit.record(
        actor=actor,
        action="client_issue",
        target=client,
        target_repr=name,
        org_path=_org_path(county),
        changes={"name": [None, name]},
    )
    return client, key


@transaction.atomic
def revoke_client(*, actor, client: Open311Client) -> None:
    _county_of(actor, client.county)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="client_revoke",
            target=client,
            target_repr=client.name,
            org_path=_org_path(client.county),
        )


def client_for_key(key: str) -> Open311Client | None:
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    client = (
        Open311Client.objects.select_related("county")
        .filter(digest=_key_digest(key), revoked_at__isnull=True)
        .first()
    )
    if client is not None:
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


@transaction.atomic
def save_category(*, actor, county: Area, code: str, data: dict[str, Any]) -> Category:
    """The county's own copy of a category (a default of the same code stops applying there), or a
    new one of its own. A running case keeps the category it was filed under."""
    county = _county_of(actor, county)
    errors = ErrorCollector()
    code = (code or "").strip()
    if not code or not code.isascii() or len(code) > 40 or not code.replace("_", "").isalnum():
        errors.add("code", "代码：必填，只能用英文字母、数字和下划线，最多40个字符。")
    base = (
        Category.objects.filter(county=county, code=code).first()
        or Category.objects.filter(county__isnull=True, code=code).first()
    )
    name = _text(errors, "name", "类别名称", data.get("name", base.name if base else ""), 60, required=True)
    kind = data.get("kind", base.kind if base else "")
    if kind not in Kind.values:
        errors.add("kind", "类型：请选择。")
    description = _text(
        errors, "description", "说明", data.get("description", base.description if base else ""), 300
    )
    documents = _text(
        errors, "documents", "所需材料", data.get("documents", base.documents if base else ""), 300
    )
    numbers = {}
    for key, label, low, high in (
        ("respond_hours", "响应时限（小时）", 1, 720),
        ("promise_workdays", "办结时限（工作日）", 1, 365),
    ):
        value = _int_id(data.get(key, getattr(base, key) if base else None))
        if value is None or not low <= value <= high:
            errors.add(key, f"{label}：应为{low}至{high}的整数。")
        numbers[key] = value
    routing = data.get("routing", base.routing if base else {})
    if (
        not isinstance(routing, dict)
        or set(routing) != {"minor", "normal", "serious", "major"}
        or any(v not in (0, 1, 2, 3) for v in routing.values())
    ):
        errors.add(
            "routing", "分级受理：较小、一般、较大、重大各须指定网格、村（社区）、乡镇（街道）或县级。"
        )
    errors.raise_if_any()
    fields = {
        "name": name,
        "kind": kind,
        "group": data.get("group", base.group if base else ""),
        "description": description,
        "documents": documents,
        "public": bool(data.get("public", base.public if base else False))
        and kind not in ("dispute", "wage", "enforcement"),
        "at_most_once": bool(data.get("at_most_once", base.at_most_once if base else False)),
        "active": bool(data.get("active", base.active if base else True)),
        "routing": routing,
        "order": base.order if base else 500,
        **numbers,
    }
    before = {k: getattr(base, k) for k in fields} if base is not None else {}
    row, created = Category.objects.update_or_create(county=county, code=code, defaults=fields)
    changes = audit.diff(before, fields) if before else {"name": [None, name]}
    if base is not None and base.county_id is None:  # the county's own copy of a default
        changes = {"copy_of": [None, base.code], **changes}
    audit.record(
        actor=actor,
        action="create" if created else "update",
        target=row,
        target_repr=name,
        org_path=_org_path(county),
        changes=changes,
    )
    return row


# --- departments: rename, deactivate, staff removed ---------------------------------------------


@transaction.atomic
def rename_department(*, actor, department: Department, name: str) -> Department:
    _county_of(actor, department.area)
    errors = ErrorCollector()
    name = _text(errors, "name", "部门名称", name, 100, required=True, name=True)
    if name != department.name and Department.objects.filter(area=department.area, name=name).exists():
        errors.add("name", f"部门名称：{department.area.name}已有“{name}”。")
    errors.raise_if_any()
    before = department.name
    if before != name:
        department.name = name
        department.save(update_fields=["name"])
        audit.record(
            actor=actor,
            action="update",
            target=department,
            target_repr=name,
            org_path=_org_path(department.area),
            changes={"name": [before, name]},
        )
    return department


@transaction.atomic
def set_department_active(*, actor, department: Department, active: bool) -> Department:
    """A department that is deactivated can no longer be whistled (selectors.departments_for), nor
    its staff see the cases (their grant reads active departments only); its history stays. Its
    stations go with it: a station of a closed department is closed too."""
    _county_of(actor, department.area)
    active = bool(active)
    if active:
        targets = [department] if not department.active else []
    else:
        targets = list(
            Department.objects.filter(path__startswith=department.path, active=True).order_by("path")
        )
    for dep in targets:
        dep.active = active
        dep.save(update_fields=["active"])
        audit.record(
            actor=actor,
            action="update",
            target=dep,
            target_repr=dep.name,
            org_path=_org_path(dep.area),
            changes={"active": [not active, active]},
        )
    department.refresh_from_db()
    return department


@transaction.atomic
def remove_department_staff(*, actor, staff: DepartmentStaff) -> None:
    """The user no longer sees the department's cases; the department-handler role on the county's
    committee goes too once they are staff of no department of this county."""
    county = _county_of(actor, staff.department.area)
    org = queries.county_org(county)
    user, department = staff.user, staff.department
    staff.delete()
    if (
        org is not None
        and not DepartmentStaff.objects.filter(
            user=user, department__area__path__startswith=county.path
        ).exists()
    ):
        RoleAssignment.objects.filter(user=user, role="department_handler", org=org).delete()
    forget_grants(user)
    audit.record(
        actor=actor,
        action="staff_remove",
        target=department,
        target_repr=f"{department.name} · {user}",
        org_path=org.path if org else "",
        changes={"staff": [user.username, None]},
    )


# --- mediators and legal advisers -----------------------------------------------------------------


@transaction.atomic
def set_mediator_active(*, actor, mediator: Mediator, active: bool) -> Mediator:
    """A retired mediator gets no new disputes (services route to active ones only); the disputes
    already assigned keep them."""
    _county_of(actor, mediator.area)
    active = bool(active)
    if mediator.active != active:
        mediator.active = active
        mediator.save(update_fields=["active"])
        audit.record(
            actor=actor,
            action="update",
            target=mediator,
            target_repr=str(mediator),
            org_path=_org_path(mediator.area),
            changes={"mediator_active": [not active, active]},
        )
    return mediator


ADVISER_AREA_KINDS = ("village", "community")


@transaction.atomic
def add_legal_adviser(*, actor, area: Area, name: str, firm: str = "", phone: str = "") -> LegalAdviser:
    """一村（社区）一法律顾问: a lawyer serving a village or community; the phone is personal data,
    stored encrypted and shown masked, as a resident's."""
    from jiceng.core import crypto
    from jiceng.core.identifiers import normalise_phone

    _county_of(actor, area)
    errors = ErrorCollector()
    if area.kind not in ADVISER_AREA_KINDS:
        errors.add("area", "服务村（社区）：应为村或社区。")
    name = _text(errors, "name", "法律顾问姓名", name, 50, required=True, name=True)
    firm = _text(errors, "firm", "律师事务所", firm, 100, name=True)
    number, problem = normalise_phone(phone or "")
    if problem:
        errors.add("phone", problem)
    if name and LegalAdviser.objects.filter(area=area, name=name, active=True).exists():
        errors.add("name", f"法律顾问姓名：{area.name}已有在任的“{name}”。")
    errors.raise_if_any()
    adviser = LegalAdviser.objects.create(
        area=area,
        name=name,
        firm=firm,
        phone_masked=crypto.mask_phone(number) if number else "",
        phone_ciphertext=crypto.encrypt(number, field="phone") if number else "",
    )
    audit.record(
        actor=actor,
        action="create",
        target=adviser,
        target_repr=f"{area.name} · {name}",
        org_path=_org_path(area),
        changes={"name": [None, name], "firm": [None, firm], "phone": [None, adviser.phone_masked]},
    )
    return adviser


@transaction.atomic
def set_legal_adviser_active(*, actor, adviser: LegalAdviser, active: bool) -> LegalAdviser:
    _county_of(actor, adviser.area)
    active = bool(active)
    if adviser.active != active:
        if (
            active
            and LegalAdviser.objects.filter(area=adviser.area, name=adviser.name, active=True)
            .exclude(pk=adviser.pk)
            .exists()
        ):
            raise DomainError(
                field="name", message=f"法律顾问姓名：{adviser.area.name}已有在任的“{adviser.name}”。"
            )
        adviser.active = active
        adviser.save(update_fields=["active"])
        audit.record(
            actor=actor,
            action="update",
            target=adviser,
            target_repr=adviser.name,
            org_path=_org_path(adviser.area),
            changes={"adviser_active": [not active, active]},
        )
    return adviser
