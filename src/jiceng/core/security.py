"""Accounts that resist guessing, and the security log (docs/security.md).

Log-in throttling is django-axes' (settings.py): attempts count per (user name, client address),
so failing from one address locks that pair only — nobody can lock a secretary out from elsewhere.
The lock lasts ``cooloff``: 15 minutes after the first lock-out, doubling with each further lock-out
of the same pair within a day, at most 24 hours. A county or township administrator can unlock
a user of their subtree (``unlock``). Every failure, lock-out, unlock, password change and refused
look-up (an object out of scope or missing) is one ``SecurityEvent``.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone

from . import audit
from .errors import NotFound
from .models import Org, RoleAssignment, SecurityEvent
from .roles import Perm
from .scoping import org_paths, path_q

Kind = SecurityEvent.Kind

FIRST_LOCK = dt.timedelta(minutes=15)
LONGEST_LOCK = dt.timedelta(hours=24)


def _client_ip(request) -> str | None:
    from .middleware import client_ip

    return client_ip(request) if request is not None else None


def org_path_of(user) -> str:
    if user is None:
        return ""
    grant = RoleAssignment.objects.filter(user=user).select_related("org").order_by("org__path").first()
    return grant.org.path if grant else ""


def record(kind: str, *, request=None, username: str = "", user=None, detail: str = "") -> SecurityEvent:
    """One security event; the user's org path places it in the scoped log."""
    if user is None and username:
        user = get_user_model().objects.filter(username=username).first()
    if user is not None and not username:
        username = user.get_username()
    return SecurityEvent.objects.create(
        kind=kind,
        username=username[:150],
        user=user,
        ip=_client_ip(request),
        path=(request.get_full_path()[:300] if request is not None else ""),
        org_path=org_path_of(user),
        detail=detail[:300],
    )


def cooloff(request) -> dt.timedelta:
    """AXES_COOLOFF_TIME: how long the pair stays locked — 15 min, doubled for each lock-out of the
    same (user name, address) in the last 24 hours, at most 24 hours."""
    username = (request.POST.get("username", "") if request is not None else "")[:150]
    ip = _client_ip(request)
    since = timezone.now() - dt.timedelta(hours=24)
    earlier = SecurityEvent.objects.filter(
        kind=Kind.LOCKED_OUT, username=username, ip=ip, at__gte=since
    ).count()
    # the lock-out being decided is recorded after this is read: the first one finds none
    return min(FIRST_LOCK * (2 ** max(earlier - 1, 0)), LONGEST_LOCK)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    record(Kind.LOGIN_FAILED, request=request, username=str(credentials.get("username", "")))


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    record(Kind.LOGIN, request=request, user=user)
    session = getattr(request, "session", None)
    if session is not None:
        session["_touched"] = int(time.time())  # IdleSessionMiddleware: saved now, not again at once


def _on_locked_out(sender, request, username, ip_address, **kwargs):
    record(Kind.LOCKED_OUT, request=request, username=str(username or ""), detail=str(ip_address or ""))


def connect_axes() -> None:
    """Called from CoreConfig.ready(): axes' signal module imports models, so not at import time."""
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_locked_out, dispatch_uid="jiceng_locked_out")


def denied(request, detail: str = "") -> None:
    """A look-up answered 404 (out of scope or missing) or 403: logged for the user asking."""
    user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    record(Kind.DENIED, request=request, user=user, detail=detail)


# --- the log and unlocking -------------------------------------------------------------------------


def events_for(
    *,
    actor,
    kind: str = "",
    q: str = "",
    ip: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[SecurityEvent]:
    """The security log in the actor's scope (MANAGE_USERS): events of users in the subtree; those
    of unknown user names only at the root of a tree."""
    paths = org_paths(actor, Perm.MANAGE_USERS)
    scope = path_q(actor, Perm.MANAGE_USERS, "org_path")  # the audit log's scoping
    if _at_a_root(paths):
        scope |= Q(org_path="")
    qs = SecurityEvent.objects.filter(scope)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(username__startswith=q)
    if ip:
        qs = qs.filter(ip=ip)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")


def _at_a_root(paths: list[str]) -> bool:
    """Events of unknown user names have no place in the tree: read at the root of one."""
    return any(len(p) == Org.steplen for p in paths)


def _in_scope(path: str, paths: list[str]) -> bool:
    return _at_a_root(paths) if not path else any(path.startswith(p) for p in paths)


def _paths_of(usernames: set[str]) -> dict[str, str]:
    """user name → the path of their first grant ("" for none or an unknown name), one query."""
    out: dict[str, str] = {}
    grants = (
        RoleAssignment.objects.filter(user__username__in=usernames)
        .order_by("user__username", "org__path")
        .values_list("user__username", "org__path")
    )
    for username, path in grants:
        out.setdefault(username, path)
    return out


def locked_pairs(*, actor) -> list[dict]:
    """The (user name, address) pairs locked now, of users in the actor's subtree (two queries)."""
    from axes.models import AccessAttempt

    limit = settings.AXES_FAILURE_LIMIT
    attempts = list(
        AccessAttempt.objects.filter(failures_since_start__gte=limit).order_by("-attempt_time")[:200]
    )
    where = _paths_of({a.username for a in attempts})
    mine = org_paths(actor, Perm.MANAGE_USERS)
    return [
        {"username": a.username, "ip": a.ip_address, "since": a.attempt_time}
        for a in attempts
        if _in_scope(where.get(a.username, ""), mine)
    ]


def _may_unlock(actor, username: str) -> bool:
    return _in_scope(_paths_of({username}).get(username, ""), org_paths(actor, Perm.MANAGE_USERS))


def unlock(*, actor, username: str, ip: str | None = None, request=None) -> int:
    """Lift the lock of ``username`` (from ``ip``, or from every address); out of scope: NotFound."""
    from axes.utils import reset

    if not username or not _may_unlock(actor, username):
        raise NotFound()
    removed = reset(username=username, ip=ip) if ip else reset(username=username)
    record(
        Kind.UNLOCKED,
        request=request,
        username=username,
        detail=f"{actor.get_username()} 解锁" + (f"（{ip}）" if ip else "（所有地址）"),
    )
    audit.record(
        actor=actor,
        action="unlock",
        target_type="core.user",
        target_repr=username,
        org_path=org_path_of(get_user_model().objects.filter(username=username).first()),
        changes={"ip": [None, ip or "*"]},
    )
    return removed


def purge(days: int | None = None) -> int:
    """Delete events older than ``days`` (JICENG_SECURITY_LOG_DAYS, never under 183: six months)."""
    days = max(days or settings.JICENG_SECURITY_LOG_DAYS, 183)
    deleted, _ = SecurityEvent.objects.filter(at__lt=timezone.now() - dt.timedelta(days=days)).delete()
    return deleted


# --- the second factor (TOTP) ----------------------------------------------------------------------


def totp_device(user, *, create: bool = False):
    """The user's confirmed TOTP device, else (with ``create``) their unconfirmed one, made once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None and create:
            device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    return device


def totp_secret(device) -> str:
    """The key as an authenticator app asks for it (base32, in groups of four)."""
    import base64

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def second_factor(*, request, token: str) -> bool:
    """Check a six-digit code against the user's device (django-otp throttles repeated failures);
    a first success confirms a new device. Logged either way."""
    from django_otp import login as otp_login

    user = request.user
    device = totp_device(user)
    code = "".join(ch for ch in token if ch.isascii() and ch.isdigit())
    if device is None or len(code) != 6 or not device.verify_token(code):
        record(Kind.SECOND_FACTOR_FAILED, request=request, user=user)
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(
            actor=user,
            action="otp_setup",
            target=user,
            org_path=org_path_of(user),
            changes={"device": [None, device.name]},
        )
    otp_login(request, device)
    record(Kind.SECOND_FACTOR, request=request, user=user)
    return True
