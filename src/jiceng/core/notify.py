"""Notifications through an outbox: ``notify`` writes the messages in the caller's transaction (a
message exists exactly when its event does), then each channel's sender delivers them.

* ``inbox``: the site itself; delivered as it is written (the user's 通知 page).
* ``sms``, ``wechat``, ``email``: delivered by the job worker (a task queued when the transaction
  commits), through the sender ``JICENG_NOTIFY_SENDERS`` names for the channel: an SMS gateway
  (HTTP), WeChat's template-message API, Django's mail backends. The embedded default has no
  sender for SMS and WeChat: their messages are held and shown in the outbox, so a demo shows
  every message it would have sent. A failed delivery is retried, five times at most.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import logging
import time
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from . import crypto
from .models import Channel, Notification, NotificationStatus, Org, User

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class SendError(Exception):
    """A sender could not deliver (the message stays queued for another try)."""


# --- senders -----------------------------------------------------------------------------------------


class Sender(abc.ABC):
    """Delivers one notification; ``address(user)`` is where it goes (None: the user has none)."""

    channel = ""

    @abc.abstractmethod
    def address(self, user: User) -> str | None: ...

    def masked(self, address: str) -> str:
        return address

    @abc.abstractmethod
    def send(self, note: Notification, address: str) -> None: ...


class Held(Sender):
    """No sender configured for the channel: the message is kept, visibly, in the outbox."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def address(self, user: User) -> str | None:
        return _address(self.channel, user)

    def masked(self, address: str) -> str:
        return mask(self.channel, address)

    def send(self, note: Notification, address: str) -> None:
        raise SendError("未配置发送通道")  # dispatch holds these messages instead of sending them


def mask(channel: str, address: str) -> str:
    """An address as the outbox shows it, the same whoever sends (or holds) the message."""
    if channel == Channel.SMS:
        return crypto.mask_phone(address)
    if channel == Channel.EMAIL:
        name, _, domain = address.partition("@")
        return f"{name[:2]}***@{domain}"
    return address[:6] + "…"


def _address(channel: str, user: User) -> str | None:
    if channel == Channel.SMS:
        return (
            crypto.decrypt(user.notify_phone_ciphertext, field="phone")
            if user.notify_phone_ciphertext
            else None
        )
    if channel == Channel.WECHAT:
        return user.wechat_openid or None
    if channel == Channel.EMAIL:
        return user.email or None
    return None


class SmsGateway(Sender):
    """An HTTP SMS gateway: POST JSON {"phone", "text", "sign"} to JICENG_SMS_URL with the bearer
    JICENG_SMS_TOKEN; any 2xx answer is a delivery (most Chinese gateways take this shape)."""

    channel = Channel.SMS

    def address(self, user: User) -> str | None:
        return _address(Channel.SMS, user)

    def masked(self, address: str) -> str:
        return crypto.mask_phone(address)

    def send(self, note: Notification, address: str) -> None:
        text = f"{note.subject}：{note.body}"[:300]
        body = {"phone": address, "text": text, "sign": settings.JICENG_SMS_SIGN}
        _post(settings.JICENG_SMS_URL, body, token=settings.JICENG_SMS_TOKEN)


class WeChatTemplate(Sender):
    """WeChat Official Account template messages: an access token from the app id and secret, then
    message/template/send with the template JICENG_WECHAT_TEMPLATE (its fields first, keyword1,
    keyword2, remark). JICENG_WECHAT_API points elsewhere for tests."""

    channel = Channel.WECHAT

    def address(self, user: User) -> str | None:
        return _address(Channel.WECHAT, user)

    def masked(self, address: str) -> str:
        return mask(Channel.WECHAT, address)

    # the access token lasts two hours and WeChat caps how many a day are issued: one per process,
    # fetched again a few minutes before it expires
    _token: tuple[str, float] | None = None

    def _access_token(self, api: str) -> str:
        cached = WeChatTemplate._token
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        answer = _get(
            f"{api}/cgi-bin/token?grant_type=client_credential&appid={settings.JICENG_WECHAT_APPID}"
            f"&secret={settings.JICENG_WECHAT_SECRET}"
        )
        token = answer.get("access_token")
        if not token:
            raise SendError("微信：取得 access_token 失败")
        WeChatTemplate._token = (token, time.monotonic() + int(answer.get("expires_in", 7200)) - 300)
        return token

    def send(self, note: Notification, address: str) -> None:
        api = settings.JICENG_WECHAT_API
        token = self._access_token(api)
        answer = _post(
            f"{api}/cgi-bin/message/template/send?access_token={token}",
            {
                "touser": address,
                "template_id": settings.JICENG_WECHAT_TEMPLATE,
                "url": _absolute(note.link),
                "data": {
                    "first": {"value": note.subject},
                    "keyword1": {"value": note.body[:200]},
                    "keyword2": {"value": timezone.localtime(note.created_at).strftime("%Y-%m-%d %H:%M")},
                    "remark": {"value": "基层治理平台"},
                },
            },
        )
        if answer.get("errcode", 0) != 0:
            if answer.get("errcode") in (40001, 40014, 42001):  # the token was revoked or expired early
                WeChatTemplate._token = None
            raise SendError(f"微信：{answer.get('errcode')} {answer.get('errmsg', '')}"[:300])


class Email(Sender):
    """E-mail through Django's mail backend (EMAIL_BACKEND: SMTP in production, the console or
    memory elsewhere)."""

    channel = Channel.EMAIL

    def address(self, user: User) -> str | None:
        return _address(Channel.EMAIL, user)

    def masked(self, address: str) -> str:
        return mask(Channel.EMAIL, address)

    def send(self, note: Notification, address: str) -> None:
        from django.core.mail import send_mail

        link = f"\n\n{_absolute(note.link)}" if note.link else ""
        send_mail(note.subject, note.body + link, None, [address])


def _absolute(link: str) -> str:
    base = settings.JICENG_SITE_URL.rstrip("/")
    return f"{base}{link}" if link and base else link


def _post(url: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return _call(urllib.request.Request(url, data=data, headers=headers, method="POST"))


def _get(url: str) -> dict[str, Any]:
    return _call(urllib.request.Request(url, method="GET"))


def _call(req: urllib.request.Request) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(req, timeout=10) as res:  # noqa: S310 - configured endpoints only
            text = res.read().decode("utf-8") or "{}"
    except OSError as exc:
        raise SendError(f"{req.full_url.split('?')[0]}：{exc}"[:300]) from None
    try:
        return json.loads(text)
    except ValueError:
        return {}


def sender(channel: str) -> Sender:
    """The sender configured for the channel (JICENG_NOTIFY_SENDERS), else one that holds."""
    path = settings.JICENG_NOTIFY_SENDERS.get(channel)
    return import_string(path)() if path else Held(channel)


# --- writing ------------------------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    org: Org | None = None,
    channels: Iterable[str] = (Channel.INBOX,),
) -> list[Notification]:
    """Messages to each recipient on each channel, written in the caller's transaction. The inbox
    copy is delivered at once; the others when the transaction commits (a task for the worker)."""
    now = timezone.now()
    rows = []
    for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values():
        for channel in dict.fromkeys(channels):
            inbox = channel == Channel.INBOX
            rows.append(
                Notification(
                    recipient=user,
                    channel=channel,
                    kind=kind,
                    subject=subject[:200],
                    body=body,
                    link=link[:300],
                    org=org,
                    status=NotificationStatus.SENT if inbox else NotificationStatus.QUEUED,
                    sent_at=now if inbox else None,
                )
            )
    made = Notification.objects.bulk_create(rows)
    if any(r.channel != Channel.INBOX for r in made):
        transaction.on_commit(_enqueue_dispatch)
    return made


def notify_address(
    *, channel: str, address: str, kind: str, subject: str, body: str, link: str = "", org: Org | None = None
) -> Notification:
    """A message to someone with no account (a resident who filed a request): to ``address`` (a
    phone for SMS), kept encrypted; delivered by the channel's sender like any other."""
    note = Notification.objects.create(
        recipient=None,
        to_ciphertext=crypto.encrypt(address, field=f"notify_{channel}"),
        channel=channel,
        kind=kind,
        subject=subject[:200],
        body=body,
        link=link[:300],
        org=org,
        status=NotificationStatus.QUEUED,
    )
    transaction.on_commit(_enqueue_dispatch)
    return note


def _enqueue_dispatch() -> None:
    from .tasks import dispatch_notifications

    dispatch_notifications.enqueue()


# --- delivering ---------------------------------------------------------------------------------------


def dispatch(limit: int = 200) -> dict[str, int]:
    """Deliver the queued messages (the worker's task; an operator's button). Each is claimed before
    it is sent, so two workers never send one twice."""
    counts = {"sent": 0, "held": 0, "failed": 0, "retry": 0}
    queued = list(
        Notification.objects.filter(status=NotificationStatus.QUEUED)
        .exclude(channel=Channel.INBOX)
        .select_related("recipient")
        .order_by("pk")[:limit]
    )
    for note in queued:
        claimed = Notification.objects.filter(
            pk=note.pk, status=NotificationStatus.QUEUED, attempts=note.attempts
        ).update(attempts=note.attempts + 1)
        if not claimed:
            continue
        note.attempts += 1
        chosen = sender(note.channel)
        address = (
            chosen.address(note.recipient)
            if note.recipient is not None
            else crypto.decrypt(note.to_ciphertext, field=f"notify_{note.channel}")
        )
        fields: dict[str, Any]
        if address is None:
            fields = {
                "status": NotificationStatus.FAILED,
                "error": "收件人未登记该渠道的地址（手机号、微信或邮箱）",
            }
            counts["failed"] += 1
        elif isinstance(chosen, Held):
            fields = {
                "status": NotificationStatus.HELD,
                "address_masked": chosen.masked(address),
                "error": "未配置发送通道：演示环境不实际发送",
            }
            counts["held"] += 1
        else:
            try:
                chosen.send(note, address)
            except Exception as exc:  # noqa: BLE001 - a sender's failure is the message's state
                log.warning("notification %s via %s failed: %s", note.pk, note.channel, exc)
                done = note.attempts >= MAX_ATTEMPTS
                fields = {
                    "status": NotificationStatus.FAILED if done else NotificationStatus.QUEUED,
                    "error": str(exc)[:300],
                    "address_masked": chosen.masked(address),
                }
                counts["failed" if done else "retry"] += 1
            else:
                fields = {
                    "status": NotificationStatus.SENT,
                    "sent_at": timezone.now(),
                    "error": "",
                    "address_masked": chosen.masked(address),
                }
                counts["sent"] += 1
        Notification.objects.filter(pk=note.pk).update(**fields)
    if counts["retry"]:
        from .tasks import dispatch_notifications

        dispatch_notifications.using(run_after=timezone.now() + dt.timedelta(seconds=60)).enqueue()
    return counts


def mark_read(*, actor, notification: Notification) -> None:
    if notification.recipient_id != actor.pk:
        from .errors import NotFound

        raise NotFound()
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())


def unread(actor) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return Notification.objects.filter(
        recipient_id=actor.pk, channel=Channel.INBOX, read_at__isnull=True
    ).count()
