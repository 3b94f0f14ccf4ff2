"""Accounts that resist guessing: lock-out per (user name, address), unlock by an administrator of
the subtree, the security log, the password change, idle sessions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jiceng.core.models import AuditEntry, SecurityEvent
from tests.world import PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT
A = "10.0.0.1"
B = "10.0.0.2"


def _login(client, username, password, ip):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_lock_out_from_one_address_only_and_unlock(world, client, login):
    sec = world.users["sec_a"].username
    for _ in range(LIMIT):
        r = _login(client, sec, "wrong-password", A)
    assert r.status_code == 429 and "锁定" in r.content.decode()
    # the right password from the same address: still refused
    r = _login(client, sec, PASSWORD, A)
    assert r.status_code == 429 and "_auth_user_id" not in client.session
    # the same user from another address logs in
    other = client_class()
    r = _login(other, sec, PASSWORD, B)
    assert r.status_code == 302 and other.session.get("_auth_user_id") == str(world.users["sec_a"].pk)

    kinds = list(SecurityEvent.objects.filter(username=sec).values_list("kind", flat=True))
    assert kinds.count("login_failed") >= LIMIT and "locked_out" in kinds and "login" in kinds

    # the township administrator of the secretary's subtree sees it locked and unlocks it
    admin = login(world.users["township"])
    page = admin.get(reverse("security_list")).content.decode()
    assert sec in page and "<td>锁定</td>" in page  # the event by its label
    r = admin.post(reverse("security_unlock"), {"username": sec, "ip": A})
    assert r.status_code == 302
    assert SecurityEvent.objects.filter(kind="unlocked", username=sec).exists()
    assert AuditEntry.objects.filter(action="unlock", target_repr=sec).exists()
    fresh = client_class()
    assert _login(fresh, sec, PASSWORD, A).status_code == 302


def test_unlock_outside_ones_subtree_is_not_found(world, client, login):
    sec_b = world.users["sec_b"].username
    for _ in range(LIMIT):
        _login(client, sec_b, "wrong-password", A)
    township_a = login(world.users["township"])  # 甲镇's administrator; sec_b is in 乙镇
    assert sec_b not in township_a.get(reverse("security_list")).content.decode()
    r = township_a.post(reverse("security_unlock"), {"username": sec_b, "ip": A})
    assert r.status_code == 404
    assert not SecurityEvent.objects.filter(kind="unlocked", username=sec_b).exists()
    assert _login(client_class(), sec_b, PASSWORD, A).status_code == 429


def test_lock_outs_grow_longer(db):
    from django.test import RequestFactory

    from jiceng.core import security

    request = RequestFactory().post("/accounts/login/", {"username": "x"}, REMOTE_ADDR=A)
    assert security.cooloff(request).total_seconds() == 15 * 60
    for _ in range(3):
        SecurityEvent.objects.create(kind="locked_out", username="x", ip=A)
    assert security.cooloff(request).total_seconds() == 60 * 60
    # another address's lock-outs do not lengthen this pair's
    other = RequestFactory().post("/accounts/login/", {"username": "x"}, REMOTE_ADDR=B)
    assert security.cooloff(other).total_seconds() == 15 * 60


def test_refused_lookups_are_logged(world, login):
    client = login(world.users["sec_a"])
    r = client.get(reverse("member_detail", args=[world.member_b.pk]))
    assert r.status_code == 404
    event = SecurityEvent.objects.get(kind="denied", user=world.users["sec_a"])
    assert str(world.member_b.pk) in event.path


def test_password_change(world, login):
    client = login(world.users["sec_a"])
    url = reverse("password_change")
    r = client.post(
        url, {"old_password": PASSWORD, "new_password1": "1234567890", "new_password2": "1234567890"}
    )
    assert r.status_code == 200 and "数字" in r.content.decode()  # Django's validator, in Chinese
    new = "Qingshan-village-2026"
    r = client.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert r.status_code == 302
    user = world.users["sec_a"]
    user.refresh_from_db()
    assert user.check_password(new)
    assert SecurityEvent.objects.filter(kind="password_changed", user=user).exists()
    assert AuditEntry.objects.filter(action="password_change", target_id=str(user.pk)).exists()


def test_sessions_end_when_idle(world, login):
    """The session's expiry moves on with activity (at most one write a minute) and lapses after
    SESSION_COOKIE_AGE without any."""
    from django.contrib.sessions.models import Session

    client = login(world.users["sec_a"])
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    session = client.session
    session["_touched"] = 0  # the last touch long ago: the next request saves it
    session.save()
    assert client.get(reverse("profile")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("profile")).status_code == 302  # idle too long: back to the log-in


def test_the_security_log_needs_the_user_management_right(world, login):
    assert login(world.users["sec_a"]).get(reverse("security_list")).status_code == 404


def client_class():
    from django.test import Client

    return Client()


def test_the_second_factor_when_a_deployment_turns_it_on(world, client, settings):
    from django_otp.oath import totp

    from jiceng.core import security

    settings.JICENG_REQUIRE_2FA = True
    county = world.users["county"]
    r = _login(client, county.username, PASSWORD, A)
    assert r.status_code == 302
    r = client.get(reverse("dashboard"))
    assert r.status_code == 302 and r["Location"].startswith("/accounts/2fa/")
    page = client.get(r["Location"]).content.decode()
    assert 'id="totp-secret"' in page
    device = security.totp_device(county)
    assert not device.confirmed
    r = client.post(reverse("two_factor"), {"token": "000000", "next": "/"})
    assert r.status_code == 200 and 'data-field="token"' in r.content.decode()
    assert SecurityEvent.objects.filter(kind="2fa_failed", user=county).exists()
    assert client.get(reverse("dashboard")).status_code == 302  # still not through
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp makes the next try wait: guessing is slow
    device.throttle_reset()  # as if that wait had passed
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    r = client.post(reverse("two_factor"), {"token": code, "next": reverse("dashboard")})
    assert r.status_code == 302 and r["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    device.refresh_from_db()
    assert (
        device.confirmed and AuditEntry.objects.filter(action="otp_setup", target_id=str(county.pk)).exists()
    )
    # a secretary's role does not require it
    other = client_class()
    _login(other, world.users["sec_a"].username, PASSWORD, B)
    assert other.get(reverse("dashboard")).status_code == 200


def test_without_the_setting_nobody_is_asked_for_a_second_factor(world, login):
    assert login(world.users["county"]).get(reverse("dashboard")).status_code == 200
