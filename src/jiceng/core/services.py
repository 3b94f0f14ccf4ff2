"""Core writes: tree nodes, role grants, API tokens, rule overrides, holidays.

Each function checks permission and rules, writes, and records an audit entry, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import audit, rollups
from .errors import DomainError, ErrorCollector, NotFound
from .models import (
    AREA_CHILD_KINDS,
    ORG_CHILD_KINDS,
    ApiToken,
    Area,
    AreaKind,
    HolidayOverride,
    Org,
    OrgKind,
    RoleAssignment,
    RuleOverride,
    User,
)
from .roles import Perm, role_perms
from .rulepacks import default_rules, validate_value
from .scoping import can_access_area, can_access_org, forget_grants, org_paths


def _lock(node) -> None:
    """Serialise structural writes under one parent (PostgreSQL row lock; SQLite's IMMEDIATE
    transactions already hold the database write lock)."""
    if connection.vendor == "postgresql":
        type(node).objects.select_for_update().filter(pk=node.pk).first()


def _require(ok: bool) -> None:
    if not ok:
        raise NotFound()


def area_create(*, actor, parent: Area | None, name: str, kind: str, code: str = "") -> Area:
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", "名称：必填。")
    if kind not in AreaKind.values:
        errors.add("kind", f"区域类型：未知类型“{kind}”，可选 {', '.join(AreaKind.values)}。")
    elif parent is not None and kind not in AREA_CHILD_KINDS[parent.kind]:
        errors.add("kind", f"区域类型：{parent.get_kind_display()}下不能设{AreaKind(kind).label}。")
    errors.raise_if_any()
    with transaction.atomic():
        if parent is None:
            _require(actor is None or actor.is_superuser)
            area = Area.objects.add_root({"name": name, "kind": kind, "code": code})
        else:
            _require(can_access_area(actor, Perm.MANAGE_ORG, parent))
            _lock(parent)
            parent.refresh_from_db()
            area = Area.objects.add_child(parent, {"name": name, "kind": kind, "code": code})
        audit.record(
            actor=actor,
            action="create",
            target=area,
            org_path=org_path_for_area(area),
            changes={"name": [None, name], "kind": [None, kind]},
        )
    return area


def org_path_for_area(area: Area) -> str:
    """The audit log is scoped by org path; area-anchored records take the deepest organisation
    whose area contains them (the root organisation when the area has none yet)."""
    paths = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    path = (
        Org.objects.filter(area__path__in=paths)
        .order_by("-area__depth", "depth")
        .values_list("path", flat=True)
        .first()
    )
    if path is None:
        path = Org.objects.filter(depth=1).order_by("path").values_list("path", flat=True).first()
    return path or ""


def org_create(
    *,
    actor,
    parent: Org | None,
    name: str,
    kind: str,
    area: Area | None = None,
    established_on: dt.date | None = None,
) -> Org:
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", "名称：必填。")
    if kind not in OrgKind.values:
        errors.add(
            "kind",
            f"组织类型：未知类型“{kind}”，可选 党委/党总支/党支部/党小组（{', '.join(OrgKind.values)}）。",
        )
    elif parent is not None and kind not in ORG_CHILD_KINDS[parent.kind]:
        errors.add("kind", f"组织类型：{parent.get_kind_display()}下不能设{OrgKind(kind).label}。")
    if established_on and established_on > timezone.localdate():
        errors.add("established_on", "成立日期：不能晚于今天。")
    errors.raise_if_any()
    fields = {"name": name, "kind": kind, "area": area, "established_on": established_on}
    with transaction.atomic():
        if parent is None:
            _require(actor is None or actor.is_superuser)
            org = Org.objects.add_root(fields)
        else:
            _require(can_access_org(actor, Perm.MANAGE_ORG, parent))
            if area is not None and not can_access_area(actor, Perm.MANAGE_ORG, area):
                raise DomainError(field="area", message="所在区域：不在您的管辖范围内。")
            _lock(parent)
            parent.refresh_from_db()
            org = Org.objects.add_child(parent, fields)
        audit.record(
            actor=actor,
            action="create",
            target=org,
            org_path=org.path,
            changes={"name": [None, name], "kind": [None, kind]},
        )
    return org


def role_grant(*, actor, user: User, role: str, org: Org) -> RoleAssignment:
    """Grant ``role`` on ``org``. No escalation: the actor must hold every permission of the role
    at that node (a township officer cannot hand out rule-pack rights it does not have)."""
    table = role_perms()
    if role not in table:
        raise DomainError(field="role", message=f"角色：未知角色“{role}”。")
    if actor is not None and not actor.is_superuser:
        _require(can_access_org(actor, Perm.MANAGE_USERS, org))
        missing = [p for p in table[role] if not can_access_org(actor, p, org)]
        if missing:
            raise DomainError(field="role", message="角色：不能授予超出自身权限的角色。")
    with transaction.atomic():
        grant, created = RoleAssignment.objects.get_or_create(user=user, role=role, org=org)
        if created:
            audit.record(
                actor=actor,
                action="grant",
                target=grant,
                org_path=org.path,
                changes={"role": [None, role], "user": [None, user.username]},
            )
    forget_grants(user)
    return grant


def user_create(
    *, actor, username: str, password: str, display_name: str = "", is_superuser: bool = False
) -> User:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    # the CLI (actor None) and operators create accounts; inside the app, only user managers
    _require(actor is None or actor.is_superuser or bool(org_paths(actor, Perm.MANAGE_USERS)))
    errors = ErrorCollector()
    if not username:
        errors.add("username", "用户名：必填。")
    elif User.objects.filter(username=username).exists():
        errors.add("username", f"用户名：“{username}”已存在。")
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        for m in exc.messages:
            errors.add("password", f"密码：{m}")
    errors.raise_if_any()
    with transaction.atomic():
        user = User(
            username=username, display_name=display_name, is_superuser=is_superuser, is_staff=is_superuser
        )
        user.set_password(password)
        user.save()
        paths = org_paths(actor, Perm.MANAGE_USERS) if actor is not None else []
        audit.record(
            actor=actor,
            action="create",
            target=user,
            org_path=paths[0] if paths else "",
            changes={"username": [None, username]},
        )
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, actor, name: str, expires_days: int | None = 365) -> tuple[ApiToken, str]:
    """Returns the token row and the token itself, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise DomainError(field="name", message="令牌名称：必填。")
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise DomainError(field="expires_days", message="有效期：应为 1–3650 天。")
    plaintext = "jc_" + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
    paths = org_paths(actor, Perm.VIEW_ORG)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name[:60],
            prefix=plaintext[:10],
            digest=_token_digest(plaintext),
            expires_at=expires_at,
        )
        audit.record(
            actor=actor,
            action="token_create",
            target=token,
            org_path=paths[0] if paths else "",
            changes={"name": [None, token.name]},
        )
    return token, plaintext


def api_token_revoke(*, actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=actor, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound()
    paths = org_paths(actor, Perm.VIEW_ORG)
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token_revoke", target=token, org_path=paths[0] if paths else "")
    return token


def api_token_authenticate(plaintext: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_token_digest(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at and token.expires_at <= now:
        return None
    # Touch at most once a minute so an API client does not write on every call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def rule_override_set(
    *, actor, org: Org, key: str, value: Any, valid_from: dt.date, reason: str, source: str = ""
) -> RuleOverride:
    _require(can_access_org(actor, Perm.MANAGE_RULES, org))
    rules = default_rules()
    if key not in rules:
        raise DomainError(field="key", message=f"规则：未知规则“{key}”。")
    if not (reason or "").strip():
        raise DomainError(field="reason", message="理由：覆盖全国默认规则必须说明理由。")
    validate_value(rules[key], value)
    with transaction.atomic():
        override, _ = RuleOverride.objects.update_or_create(
            org=org,
            key=key,
            valid_from=valid_from,
            defaults={"value": value, "reason": reason.strip(), "source": source, "created_by": actor},
        )
        audit.record(
            actor=actor,
            action="rule_override",
            target=override,
            target_repr=f"{org} · {key}",
            org_path=org.path,
            changes={key: [rules[key].value, value]},
        )
        rollups.mark_subtree(org)  # every committee under it counts by the new rule
    return override


def holiday_set(*, actor, date: dt.date, is_workday: bool, name: str = "") -> HolidayOverride:
    paths = org_paths(actor, Perm.MANAGE_RULES)
    _require(actor is None or bool(paths))
    with transaction.atomic():
        row, _ = HolidayOverride.objects.update_or_create(
            date=date, defaults={"is_workday": is_workday, "name": name}
        )
        audit.record(
            actor=actor,
            action="holiday_set",
            target=row,
            org_path=paths[0] if paths else "",
            changes={"is_workday": [None, is_workday]},
        )
        rollups.mark_subtree(None)  # working days move every deadline
    return row


def rollup_refresh_start(*, actor, org: Org, period: str = ""):
    """Queue a refresh of every stored figure under ``org`` (core.jobs kind core.rollup_refresh);
    for those who may change the subtree's rules (a rule change moves its figures)."""
    from . import jobs
    from .periods import parse_period

    _require(can_access_org(actor, Perm.MANAGE_RULES, org))
    label = parse_period(period or None).label
    return jobs.start(
        actor=actor,
        kind="core.rollup_refresh",
        title=f"重新计算汇总：{org.name}（{label}）"[:200],
        org=org,
        params={"period": label},
    )


def workflow_edit(*, actor, org: Org, key: str, operation: str, note: str, **params: Any):
    """One change to ``org``'s local version of workflow ``key``, made on the version in force there:
    ``insert`` a stage (after, label, wait, unit), ``remove`` a stage of its own (state), or set a
    time limit (``time``: transition, kind, amount, unit). Checked against the template; saved as a
    new version (core.workflows.customise)."""
    from . import workflows

    _require(can_access_org(actor, Perm.MANAGE_RULES, org))
    spec = workflows.spec_of(workflows.effective(key, org))
    if operation == "insert":
        label = (params.get("label") or "").strip()
        if not label:
            raise DomainError(field="label", message="环节名称：必填。")
        n = 1 + workflows.last_local_number(key, org, spec)
        spec = workflows.insert_state(
            spec,
            after=params["after"],
            key=f"local{n}",
            label=label,
            wait=int(params.get("wait") or 0),
            unit=params.get("unit") or "workdays",
        )
    elif operation == "remove":
        spec = workflows.remove_state(spec, key=params["state"])
    elif operation == "time":
        spec = workflows.set_time(
            spec,
            transition=params["transition"],
            kind=params["kind"],
            amount=int(params.get("amount") or 0),
            unit=params.get("unit") or "workdays",
        )
    else:
        raise DomainError(field="operation", message="修改方式：未知。")
    return workflows.customise(actor=actor, org=org, key=key, spec=spec, note=note)


def workflow_advance(*, actor, instance, action: str, exception_reason: str = ""):
    """Take a generic way on (a local stage's "完成…") from the matter's page; the domain's own
    steps go through their app's services."""
    from . import workflows

    t = workflows.spec_of(instance.definition).transition(action)
    if t is None or not t.generic:
        raise DomainError(field="action", message="办理：该环节须在其业务页面办理。")
    return workflows.transition(
        actor=actor, instance=instance, action=action, exception_reason=exception_reason
    )


def outbox_dispatch_request(*, actor) -> None:
    """An operator asks for the queued SMS, WeChat and e-mail messages to be sent now (the worker
    sends them anyway after each event; this is for after a sender was configured)."""
    from .tasks import dispatch_notifications

    paths = org_paths(actor, Perm.MANAGE_USERS)
    _require(bool(paths))
    audit.record(actor=actor, action="outbox_dispatch", target_type="core.notification", org_path=paths[0])
    transaction.on_commit(dispatch_notifications.enqueue)


def contact_set(*, actor, phone: str = "", email: str = "", wechat_openid: str = ""):
    """Where the actor's notifications reach them beyond the site: a mobile phone (encrypted and
    masked like any personal phone), an e-mail address, a WeChat openid. Empty clears one."""
    import re

    from django.core.validators import validate_email

    from . import crypto
    from .identifiers import normalise_phone

    errors = ErrorCollector()
    keep_phone = "*" in (phone or "")  # the masked number shown in the form: unchanged
    phone_clean, msg = ("", None) if keep_phone else normalise_phone(phone or "")
    if msg:
        errors.add("phone", msg)
    elif phone_clean and not re.fullmatch(r"1[3-9]\d{9}", phone_clean):
        errors.add("phone", "接收通知的手机号：应为11位手机号（短信只能发到手机）。")
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except Exception:  # noqa: BLE001 - Django's ValidationError
            errors.add("email", "邮箱：格式不正确。")
        if len(email) > 254:
            errors.add("email", "邮箱：不能超过254个字符。")
    openid = (wechat_openid or "").strip()
    if openid and not re.fullmatch(r"[A-Za-z0-9_-]{6,64}", openid):
        errors.add("wechat_openid", "微信 openid：应为6到64位字母、数字、下划线或连字符。")
    errors.raise_if_any()
    before = {"phone": actor.notify_phone_masked, "email": actor.email, "wechat_openid": actor.wechat_openid}
    with transaction.atomic():
        if not keep_phone:
            actor.notify_phone_ciphertext = crypto.encrypt(phone_clean, field="phone") if phone_clean else ""
            actor.notify_phone_masked = crypto.mask_phone(phone_clean) if phone_clean else ""
        actor.email, actor.wechat_openid = email, openid
        actor.save(update_fields=["notify_phone_ciphertext", "notify_phone_masked", "email", "wechat_openid"])
        paths = org_paths(actor, Perm.VIEW_ORG)
        audit.record(
            actor=actor,
            action="update",
            target=actor,
            org_path=paths[0] if paths else "",
            changes=audit.diff(
                before, {"phone": actor.notify_phone_masked, "email": email, "wechat_openid": openid}
            ),
        )
    return actor


def figure_export_record(*, actor, org: Org, name: str, label: str, rows) -> None:
    """The rows behind a figure left the system as a file: logged like every export of people."""
    count = rows.count()
    audit.record(
        actor=actor,
        action="export",
        target_type="figure",
        target_repr=f"{label}（明细）导出 {count} 行",
        org_path=org.path,
        changes={"indicator": [None, name], "rows": [None, count]},
    )
