"""Tracked jobs (core.jobs): queued at once, run by the worker's code path, progress and outcome on
the row, the result file its owner's only, a dead worker's job shown failed and retried."""

from __future__ import annotations

import datetime as dt
import io
import os
import socket

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from jiceng.core import jobs
from jiceng.core.errors import DomainError
from jiceng.core.models import AuditEntry, Job, JobStatus
from jiceng.people.models import PartyMember
from tests.world import make_id

HEADER = "姓名,性别,身份证号,党员类别,入党日期,转正日期\n"


def roster(n: int, start: int = 500) -> bytes:
    lines = [HEADER]
    for i in range(start, start + n):  # a birth date each: distinct ID numbers
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=i)
        lines.append(f"任务{i},男,{make_id(birth, True, 1)},正式党员,1990-07-01,1991-07-02\n")
    return "".join(lines).encode("utf-8")


def start_import(world, data: bytes, user="sec_a") -> Job:
    return jobs.start(
        actor=world.users[user],
        kind="people.member_import",
        org=world.branch_a,
        params={"filename": "名册.csv"},
        inputs={"upload": data},
    )


def test_a_job_is_queued_at_once_and_run_by_the_workers_code(world):
    job = start_import(world, roster(3))
    assert job.status == JobStatus.QUEUED and jobs.input_path(job, "upload").read_bytes().startswith(
        "姓名".encode()
    )
    assert AuditEntry.objects.filter(action="job_start", target_id=str(job.pk)).exists()
    assert not PartyMember.objects.filter(person__name__startswith="任务").exists()
    assert jobs.execute(str(job.pk)) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.message == "已导入 3 名党员。" and job.result == {"created": 3} and job.attempts == 1
    assert job.total == 3 and job.stage == "已完成" and job.percent == 100
    assert job.worker.startswith(f"{socket.gethostname()}:{os.getpid()}:") and job.finished_at is not None
    assert PartyMember.objects.filter(person__name__startswith="任务").count() == 3
    assert jobs.execute(str(job.pk)) == JobStatus.SUCCEEDED  # claimed once: a second run does nothing
    assert PartyMember.objects.filter(person__name__startswith="任务").count() == 3


def test_progress_is_written_as_the_rows_are_checked(world):
    job = start_import(world, roster(2500))
    seen = []
    original = jobs.JobContext.progress

    def spy(self, done, total=None, stage=None, *, force=False):
        original(self, done, total, stage, force=True)
        row = Job.objects.filter(pk=self.job.pk).values_list("stage", "done", "total").get()
        seen.append(row)

    jobs.JobContext.progress = spy
    try:
        jobs.execute(str(job.pk))
    finally:
        jobs.JobContext.progress = original
    stages = [s for s, _d, _t in seen]
    assert "校验" in stages and "写入" in stages
    assert (("校验", 1000, 2500) in seen) and (("校验", 2000, 2500) in seen)


def test_a_rejected_file_fails_with_its_rows_and_an_error_file_only_its_owner_gets(world, login):
    bad = roster(2) + "无名,男,123,正式党员,2001-07-01,2002-07-02\n".encode()
    job = start_import(world, bad)
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "1行有错误" in job.message
    assert job.result["bad_rows"] == 1 and job.result["rows"][0]["column"] == "身份证号"
    assert job.personal and job.expires_at > timezone.now() and job.file_name == "导入错误清单.xlsx"
    assert not PartyMember.objects.filter(person__name__startswith="任务").exists()
    url = reverse("job_result", kwargs={"job_id": job.pk})
    assert login(world.users["sec_a"]).get(url).status_code == 200
    for other in ("county", "township", "sec_b"):  # not even a superior: the result is the owner's
        assert login(world.users[other]).get(url).status_code == 404
        assert (
            login(world.users[other]).get(reverse("job_detail", kwargs={"job_id": job.pk})).status_code == 404
        )
    # a personal result expires
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert login(world.users["sec_a"]).get(url).status_code == 404
    assert jobs.cleanup() == 1 and not jobs.job_dir(job).exists()
    job.refresh_from_db()
    with pytest.raises(DomainError, match="已按期删除"):  # the uploaded file went with it
        jobs.retry(actor=world.users["sec_a"], job=job)


def test_a_succeeded_import_keeps_the_uploaded_file_only_until_the_personal_expiry(world):
    job = start_import(world, roster(2))
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.file_name == ""
    assert job.expires_at is not None and jobs.input_path(job, "upload").exists()
    assert jobs.cleanup() == 0  # not yet
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert jobs.cleanup() == 1 and not jobs.input_path(job, "upload").exists()


def test_an_unexpected_failure_is_a_plain_message_and_a_retry_succeeds(world, login):
    job = start_import(world, roster(2))
    data = jobs.input_path(job, "upload").read_bytes()
    jobs.input_path(job, "upload").unlink()
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "系统内部错误" in job.message and "Traceback" not in job.message
    jobs.input_path(job, "upload").write_bytes(data)
    c = login(world.users["sec_a"])
    assert c.post(reverse("job_retry", kwargs={"job_id": job.pk})).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.message == ""
    assert jobs.run_queued() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    # a job that did not fail cannot be retried
    r = c.post(reverse("job_retry", kwargs={"job_id": job.pk}), follow=True)
    assert "只能重试失败的任务" in r.text


def test_a_job_whose_worker_is_gone_is_shown_failed(world, login):
    job = start_import(world, roster(1))
    dead = os.fork()
    if dead == 0:  # a child that exits at once: its pid names no process afterwards
        os._exit(0)
    os.waitpid(dead, 0)
    here = socket.gethostname()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        worker=f"{here}:{dead}",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    page = login(world.users["sec_a"]).get(reverse("job_detail", kwargs={"job_id": job.pk}))
    assert page.context["job"].status == JobStatus.FAILED and jobs.INTERRUPTED in page.text
    # alive on this host: still running; elsewhere, failed only once silent for too long
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker=f"{here}:{os.getpid()}")
    assert jobs.reconcile(Job.objects.get(pk=job.pk)).status == JobStatus.RUNNING
    Job.objects.filter(pk=job.pk).update(worker="another-host:1")
    assert jobs.reconcile(Job.objects.get(pk=job.pk)).status == JobStatus.RUNNING
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=jobs.stale_seconds() + 1)
    )
    assert jobs.reconcile(Job.objects.get(pk=job.pk)).status == JobStatus.FAILED
    assert Job.objects.get(pk=job.pk).expires_at is not None  # an import's upload expires all the same
    # the process id reused by another process (a restarted container): its start time differs
    other = start_import(world, roster(1))
    Job.objects.filter(pk=other.pk).update(
        status=JobStatus.RUNNING, worker=f"{here}:{os.getpid()}:1", heartbeat_at=timezone.now()
    )
    assert jobs.reconcile_all() == 1 and Job.objects.get(pk=other.pk).status == JobStatus.FAILED


def test_a_run_declared_dead_does_not_overwrite_the_retry(world):
    job = start_import(world, roster(1))
    original = jobs._finish

    def retried_meanwhile(job_, ctx, me, status, message):
        Job.objects.filter(pk=job_.pk).update(status=JobStatus.QUEUED, worker="", stage="排队等待")
        original(job_, ctx, me, status, message)

    jobs._finish = retried_meanwhile
    try:
        jobs.execute(str(job.pk))
    finally:
        jobs._finish = original
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.stage == "排队等待"  # the new attempt's, untouched


def test_a_job_that_cannot_be_queued_is_failed_and_retryable(world, monkeypatch):
    from jiceng.core import tasks

    def refuse(*a, **kw):
        raise RuntimeError("queue down")

    from types import SimpleNamespace

    monkeypatch.setattr(tasks, "run_job", SimpleNamespace(enqueue=refuse))  # the queue refusing
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = start_import(world, roster(1))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "未能排队" in job.message


def test_a_large_ledger_is_written_by_a_job(world, login, settings, client):
    settings.JICENG_LEDGER_INLINE_MAX = 1
    c = login(world.users["county"])
    r = c.get(reverse("ledger_detail", kwargs={"key": "people.members"}), {"format": "csv"})
    job = Job.objects.get(kind="core.ledger_export_personal")
    assert r.status_code == 302 and r["Location"] == reverse("job_detail", kwargs={"job_id": job.pk})
    exports = AuditEntry.objects.filter(action="export").count()
    jobs.run_queued()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"written": 3} and job.expires_at is not None
    assert AuditEntry.objects.filter(action="export").count() == exports + 1  # logged when written
    body = b"".join(c.get(reverse("job_result", kwargs={"job_id": job.pk})).streaming_content).decode()
    assert "王五" in body and "张三" in body
    # the API answers 202 with the job to follow
    from jiceng.core.services import api_token_create

    _t, token = api_token_create(actor=world.users["county"], name="t")
    r = client.get("/api/v1/ledgers/people.members", {"format": "xlsx"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 202 and r.json()["status"] == "queued"


def test_an_import_file_is_read_from_disk_not_from_the_request(world):
    """What the worker reads is the stored copy, readable by this system user only: the request's
    file is gone by then, and a retry has the same file."""
    upload = io.BytesIO(roster(2))
    job = start_import(world, upload.getvalue())
    upload.close()
    stored = jobs.input_path(job, "upload")
    assert stored.stat().st_mode & 0o777 == 0o600 and stored.parent.stat().st_mode & 0o777 == 0o700
    assert jobs.execute(str(job.pk)) == JobStatus.SUCCEEDED
    assert PartyMember.objects.filter(person__name__startswith="任务").count() == 2


def test_a_result_is_stored_under_a_fixed_name_whatever_it_is_called(world, login, settings):
    """The download name holds the organisation's name, which is free text: never a path."""
    from jiceng.core.models import Org

    settings.JICENG_LEDGER_INLINE_MAX = 1
    county = world.users["county"]
    Org.objects.filter(pk=world.branch_a.pk).update(name="../../一村/党支部")
    c = login(county)
    c.get(
        reverse("ledger_detail", kwargs={"key": "people.members"}),
        {"format": "csv", "org": world.branch_a.pk},
    )
    job = Job.objects.get(kind="core.ledger_export_personal")
    jobs.run_queued()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and "../../一村/党支部" in job.file_name
    assert jobs.result_path(job) == jobs.job_dir(job) / "out" / "result" and jobs.result_path(job).exists()
    assert sorted(p.name for p in jobs.jobs_dir().rglob("*") if p.is_file()) == ["result"]
    r = c.get(reverse("job_result", kwargs={"job_id": job.pk}))
    assert r.status_code == 200 and "张三" in b"".join(r.streaming_content).decode()


def test_a_rollup_refresh_runs_as_a_job_for_those_who_may_change_rules(world, login):
    from jiceng.core.models import IndicatorSnapshot

    c = login(world.users["county"])
    r = c.post(reverse("rollup_refresh"), {"org": world.county_org.pk, "period": "2025"})
    job = Job.objects.get(kind="core.rollup_refresh")
    assert r.status_code == 302 and job.params == {"period": "2025"}
    jobs.run_queued()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"organisations": 3} and job.total == 3
    assert IndicatorSnapshot.objects.filter(org=world.town_b_org, period="2025").exists()
    # a township may not change rules: no refresh (404, as for anything out of reach)
    before = Job.objects.count()
    assert (
        login(world.users["township"])
        .post(reverse("rollup_refresh"), {"org": world.town_a_org.pk})
        .status_code
        == 404
    )
    assert Job.objects.count() == before


def test_a_rollup_refresh_with_a_bad_period_is_told_not_a_500(world, login):
    c = login(world.users["county"])
    for period in ("bogus", "2999"):
        r = c.post(reverse("rollup_refresh"), {"org": world.county_org.pk, "period": period}, follow=True)
        assert r.status_code == 200 and "统计期间" in r.text
    assert not Job.objects.filter(kind="core.rollup_refresh").exists()


def test_a_grade_page_title_is_only_its_title(world, login):
    from jiceng.grading import services as grading

    rnd = grading.round_open(
        actor=world.users["county"], org=world.county_org, year=timezone.localdate().year
    )
    grade = rnd.grades.get(org=world.branch_a)
    page = login(world.users["county"]).get(reverse("grade_detail", kwargs={"grade_id": grade.pk})).text
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<section" not in title and "csrf" not in title and page.count('id="workflow"') == 1
