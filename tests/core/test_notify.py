"""The notification outbox (core.notify): written with its event, delivered by pluggable senders,
shown to its recipient and, with what became of it, to the operator."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from jiceng.core import crypto, notify
from jiceng.core import services as core
from jiceng.core.models import Notification, NotificationStatus


class _Gateway(BaseHTTPRequestHandler):
    answers: list[int] = []
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Gateway.seen.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        self._answer({"errcode": 0})

    def do_GET(self):  # noqa: N802
        _Gateway.seen.append({"path": self.path})
        self._answer({"access_token": "TOKEN", "expires_in": 7200})

    def _answer(self, data):
        code = _Gateway.answers.pop(0) if _Gateway.answers else 200
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(data).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.answers, _Gateway.seen = [], []
    notify.WeChatTemplate._token = None  # a token cached by an earlier test is not this gateway's
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _tell(world, channels=("inbox",), user="sec_a"):
    return notify.notify(
        recipients=[world.users[user]],
        kind="test",
        subject="测试",
        body="内容",
        link="/orglife/",
        org=world.branch_a,
        channels=channels,
    )


def test_a_message_exists_exactly_when_its_event_does(world):
    before = set(Notification.objects.values_list("pk", flat=True))  # the demo county's own
    with pytest.raises(RuntimeError), transaction.atomic():
        _tell(world)
        raise RuntimeError("the event failed")
    assert set(Notification.objects.values_list("pk", flat=True)) == before
    _tell(world)
    note = Notification.objects.exclude(pk__in=before).get()
    assert note.status == NotificationStatus.SENT and note.sent_at is not None  # the inbox: delivered at once


def test_the_recipient_reads_it_and_nobody_else_can(world, login):
    note = _tell(world)[0]
    c = login(world.users["sec_a"])
    page = c.get(reverse("dashboard"))
    assert 'id="unread">1<' in page.text
    assert "测试" in c.get(reverse("notification_list")).text
    r = c.post(reverse("notification_read", kwargs={"notification_id": note.pk}))
    assert r.status_code == 302 and r["Location"] == "/orglife/"
    note.refresh_from_db()
    assert note.read_at is not None and 'id="unread"' not in c.get(reverse("dashboard")).text
    other = login(world.users["sec_b"])
    assert other.post(reverse("notification_read", kwargs={"notification_id": note.pk})).status_code == 404
    assert "测试" not in other.get(reverse("notification_list")).text


def test_without_a_sender_sms_and_wechat_are_held_in_the_outbox(world, login):
    core.contact_set(actor=world.users["sec_a"], phone="13912345678", wechat_openid="oAbc123456")
    _tell(world, channels=("inbox", "sms", "wechat"))
    _tell(world, channels=("sms",), user="sec_b")  # no number given: cannot be delivered
    assert notify.dispatch() == {"sent": 0, "held": 2, "failed": 1, "retry": 0}
    sms = Notification.objects.get(channel="sms", recipient=world.users["sec_a"])
    assert sms.status == NotificationStatus.HELD and sms.address_masked == "139****5678"
    assert "13912345678" not in json.dumps(list(Notification.objects.values()), default=str)
    page = login(world.users["county"]).get(reverse("outbox"))
    assert page.status_code == 200 and "139****5678" in page.text and "未配置发送通道" in page.text
    assert "未登记该渠道的地址" in page.text
    assert login(world.users["sec_a"]).get(reverse("outbox")).status_code == 404  # operators only
    # "send now" hands the queue to the worker (audited), it does not send inside the request
    from jiceng.core.models import AuditEntry

    _tell(world, channels=("sms",))
    c = login(world.users["county"])
    r = c.post(reverse("outbox"))
    assert r.status_code == 302
    assert Notification.objects.filter(status=NotificationStatus.QUEUED, channel="sms").exists()
    assert AuditEntry.objects.filter(action="outbox_dispatch", actor=world.users["county"]).exists()
    assert login(world.users["sec_a"]).post(reverse("outbox")).status_code == 404


def test_senders_deliver_and_a_failure_is_retried_then_given_up(world, settings, gateway):
    settings.JICENG_NOTIFY_SENDERS = {
        "sms": "jiceng.core.notify.SmsGateway",
        "wechat": "jiceng.core.notify.WeChatTemplate",
        "email": "jiceng.core.notify.Email",
    }
    settings.JICENG_SMS_URL, settings.JICENG_SMS_TOKEN = f"{gateway}/sms", "secret"
    settings.JICENG_WECHAT_API, settings.JICENG_WECHAT_APPID = gateway, "wx1"
    settings.JICENG_WECHAT_SECRET, settings.JICENG_WECHAT_TEMPLATE = "s", "T1"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = world.users["sec_a"]
    core.contact_set(actor=user, phone="13912345678", email="sec@example.cn", wechat_openid="oAbc123456")
    _tell(world, channels=("sms", "wechat", "email"))
    assert notify.dispatch() == {"sent": 3, "held": 0, "failed": 0, "retry": 0}
    sms = next(x for x in _Gateway.seen if x["path"] == "/sms")
    assert (
        sms["body"]["phone"] == "13912345678"
        and sms["auth"] == "Bearer secret"
        and "测试" in sms["body"]["text"]
    )
    sent = next(x for x in _Gateway.seen if x["path"].startswith("/cgi-bin/message/template/send"))
    assert sent["body"]["touser"] == "oAbc123456" and sent["body"]["template_id"] == "T1"
    assert mail.outbox[0].to == ["sec@example.cn"] and mail.outbox[0].subject == "测试"
    # a second WeChat message reuses the access token (WeChat caps how many are issued a day)
    _tell(world, channels=("wechat",))
    assert notify.dispatch()["sent"] == 1
    assert sum(1 for x in _Gateway.seen if x["path"].startswith("/cgi-bin/token")) == 1
    assert sum(1 for x in _Gateway.seen if x["path"].startswith("/cgi-bin/message/template/send")) == 2
    # the gateway fails: queued again, given up after five attempts
    _tell(world, channels=("sms",))
    _Gateway.answers = [500] * 5
    assert notify.dispatch()["retry"] == 1
    note = Notification.objects.filter(channel="sms").latest("pk")
    assert note.status == NotificationStatus.QUEUED and note.attempts == 1 and "500" in note.error
    for _ in range(4):
        notify.dispatch()
    note.refresh_from_db()
    assert note.status == NotificationStatus.FAILED and note.attempts == 5


def test_contact_details_are_checked_and_the_phone_kept_encrypted(world):
    user = world.users["sec_a"]
    with pytest.raises(Exception) as bad:
        core.contact_set(actor=user, phone="0731-1234567", email="x@", wechat_openid="!")
    assert set(bad.value.errors) == {"phone", "email", "wechat_openid"}
    core.contact_set(
        actor=user, phone="１３９１２３４５６７８".translate(str.maketrans("１２３４５６７８９", "123456789"))
    )
    user.refresh_from_db()
    assert crypto.decrypt(user.notify_phone_ciphertext, field="phone") == "13912345678"
    core.contact_set(
        actor=user, phone=user.notify_phone_masked, email="a@b.cn"
    )  # the masked number: unchanged
    user.refresh_from_db()
    assert user.notify_phone_masked == "139****5678" and user.email == "a@b.cn"


def test_a_secretary_is_told_when_the_branch_is_confirmed_lagging(world):
    from django.utils import timezone

    from jiceng.grading import services as grading

    rnd = grading.round_open(
        actor=world.users["county"], org=world.town_a_org, year=timezone.localdate().year
    )
    grade = rnd.grades.get(org=world.branch_a)
    grading.grade_confirm(actor=world.users["county"], grade=grade, lagging=True, reason="后进")
    told = Notification.objects.filter(kind="grading.lagging")
    assert {n.recipient for n in told} == {world.users["sec_a"]}
    assert {n.channel for n in told} == {"inbox", "sms", "wechat"}
    assert "一村党支部" in told.first().subject and told.first().link.endswith(f"/grades/{grade.pk}/")


def test_the_owner_is_told_when_a_job_finishes(world):
    from jiceng.core import jobs

    job = jobs.start(
        actor=world.users["county"],
        kind="core.rollup_refresh",
        org=world.town_a_org,
        params={"period": "2025"},
    )
    jobs.execute(str(job.pk))
    note = Notification.objects.get(kind="core.job_finished")
    assert (
        note.recipient == world.users["county"]
        and note.subject.startswith("任务已完成")
        and str(job.pk) in note.link
    )
