"""Tracked background jobs: long work (an import, a large export, a rollup refresh) run by the job
worker (``jiceng worker``, django-tasks with its database backend, so the embedded default needs no
other server) instead of inside a web request.

A job is a ``core.Job`` row: its owner, the subtree it concerns, its parameters and input files
(under ``JICENG_JOBS_DIR``/<id>/), its progress (done / total, the stage), its outcome (a message, a
result, a result file only the owner may download, which expires when it holds personal data).

* An app declares a job kind (``JobKind``) in the module its plugin names in ``jobs``; the kind's
  ``run(ctx)`` does the work through the app's services and reports progress through ``ctx``.
* Progress is written outside the work's own transaction: directly while the job has none open, on a
  second connection while it has (PostgreSQL), and not at all while SQLite's one writer is the job
  (the page then shows the last stage until the write commits).
* All-or-nothing work keeps its writes in one transaction, so a worker killed half-way (SIGKILL, a
  restart) leaves nothing of it; ``reconcile`` then marks the job failed — at once when its worker
  ran on this host and is gone, else when it has not been heard of for ``JICENG_JOB_STALE_SECONDS`` —
  and its owner can retry it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Field
from django.utils import timezone
from django.utils.module_loading import import_string

from . import audit
from .errors import DomainError, NotFound
from .models import Job, JobStatus

log = logging.getLogger(__name__)

INTERRUPTED = "任务中断：处理它的进程已停止（被终止或重启），没有保存任何部分结果。可以重试。"


@dataclass(frozen=True)
class JobKind:
    key: str  # "people.member_import"
    title: str  # "批量导入党员"
    run: str  # dotted path of run(ctx: JobContext) -> None
    personal: bool = False  # its result file holds personal data: it expires (JICENG_JOB_PERSONAL_TTL)


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    if kind.key in _KINDS:
        raise ValueError(f"job kind {kind.key} registered twice")
    _KINDS[kind.key] = kind
    return kind


def kinds() -> dict[str, JobKind]:
    """The job kinds of the installed apps."""
    from . import kit

    kit.plugins()
    return {k: v for k, v in _KINDS.items() if kit.in_installed_app(v.run)}


class JobFailed(Exception):
    """The work could not be done (a rejected file, a refused request): the job fails with this
    message; what the run put in ``ctx.result`` is kept for the page (the rows of a rejected file)."""


# --- places ---------------------------------------------------------------------------------------


def jobs_dir() -> Path:
    return Path(getattr(settings, "JICENG_JOBS_DIR", settings.VAR_DIR / "jobs"))


def job_dir(job: Job) -> Path:
    return jobs_dir() / str(job.id)


def input_path(job: Job, name: str) -> Path:
    return job_dir(job) / "in" / name


def result_path(job: Job) -> Path | None:
    return job_dir(job) / "out" / job.file_name if job.file_name else None


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- starting -------------------------------------------------------------------------------------


def start(
    *,
    actor,
    kind: str,
    title: str = "",
    org=None,
    params: dict[str, Any] | None = None,
    inputs: dict[str, IO[bytes] | bytes] | None = None,
) -> Job:
    """Queue a job for the worker; returns at once. ``inputs`` are stored with the job (the uploaded
    file), so the work — and a retry — read them from disk, not from the request."""
    spec = kinds().get(kind)
    if spec is None:
        raise DomainError(field="kind", message=f"任务类型：未知类型“{kind}”。")
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=title or spec.title,
            owner=actor,
            org=org,
            params=params or {},
            personal=spec.personal,
            stage="排队等待",
        )
        for name, content in (inputs or {}).items():
            path = input_path(job, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                if isinstance(content, bytes):
                    fh.write(content)
                else:
                    content.seek(0)
                    shutil.copyfileobj(content, fh)
        audit.record(
            actor=actor,
            action="job_start",
            target=job,
            target_repr=job.title,
            org_path=org.path if org is not None else "",
            changes={"kind": [None, kind]},
        )
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    from .tasks import run_job

    result = run_job.enqueue(str(job.id))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))


def retry(*, actor, job: Job) -> Job:
    """Queue a failed job again, with the same inputs (its owner only)."""
    if job.owner_id != actor.pk:
        raise NotFound()
    reconcile(job)
    if job.status != JobStatus.FAILED:
        raise DomainError(field="__all__", message="只能重试失败的任务。")
    if job.expires_at is not None and job.expires_at <= timezone.now():
        raise DomainError(
            field="__all__", message="含个人信息的任务文件已按期删除，不能重试，请重新上传文件。"
        )
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED,
            stage="排队等待",
            done=0,
            total=0,
            message="",
            result={},
            file_name="",
            worker="",
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
            expires_at=None,
        )
        audit.record(
            actor=actor,
            action="job_retry",
            target=job,
            target_repr=job.title,
            org_path=job.org.path if job.org is not None else "",
            changes={"attempt": [job.attempts, job.attempts + 1]},
        )
        transaction.on_commit(lambda: _enqueue(job))
    job.refresh_from_db()
    return job


# --- running --------------------------------------------------------------------------------------


class JobContext:
    """What a job kind's ``run`` gets: the job and its owner, and the ways to report back."""

    def __init__(self, job: Job, depth: int) -> None:
        self.job = job
        self.owner = job.owner
        self.org = job.org
        self.params = job.params
        self.result: dict[str, Any] = {}
        self.message = ""
        self._depth = depth  # the transactions open when the work began (a test's own)
        self._last = 0.0

    def input(self, name: str) -> Path:
        return input_path(self.job, name)

    def progress(
        self, done: int, total: int | None = None, stage: str | None = None, *, force: bool = False
    ) -> None:
        """Report progress; written at most twice a second (or when ``force``)."""
        now = time.monotonic()
        if not force and now - self._last < 0.5:
            return
        self._last = now
        fields: dict[str, Any] = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if stage is not None:
            fields["stage"] = stage[:100]
        _write_outside(self.job.pk, fields, self._depth)

    def save_result(self, name: str, content: IO[bytes]) -> None:
        """The result file the owner downloads (one per job)."""
        path = job_dir(self.job) / "out" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        content.seek(0)
        with path.open("wb") as fh:
            shutil.copyfileobj(content, fh)
        self.job.file_name = name


_side: dict[int, Any] = {}


def _write_outside(job_id, fields: dict[str, Any], depth: int) -> None:
    """Update the job row where other users see it at once: on the job's connection while the job
    has no transaction of its own open; else on a second connection (PostgreSQL); SQLite's single
    writer is the job itself then, so the update waits for the next write outside."""
    if len(connection.atomic_blocks) <= depth:
        Job.objects.filter(pk=job_id).update(**fields)
        return
    if connection.vendor != "postgresql":
        return
    side = _side.get(os.getpid())
    if side is None:
        side = _side[os.getpid()] = connections.create_connection(DEFAULT_DB_ALIAS)
    qn = side.ops.quote_name
    columns = ", ".join(f"{qn(cast(Field, Job._meta.get_field(k)).column)} = %s" for k in fields)
    with side.cursor() as cur:
        cur.execute(
            f"UPDATE {qn(Job._meta.db_table)} SET {columns} WHERE id = %s", [*fields.values(), job_id]
        )


def execute(job_id: str) -> str:
    """Run one queued job (what the worker's task calls; tests call it, or ``run_queued``, the same
    way). Claims the job first, so a job is never run twice at once. Returns its final status."""
    depth = len(connection.atomic_blocks)
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        worker=_worker_name(),
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        stage="开始处理",
    )
    if not claimed:
        return Job.objects.filter(pk=job_id).values_list("status", flat=True).first() or "missing"
    job = Job.objects.select_related("owner", "org").get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
    ctx = JobContext(job, depth)
    spec = kinds().get(job.kind)
    status, message = JobStatus.SUCCEEDED, ""
    try:
        if spec is None:
            raise JobFailed(f"任务类型“{job.kind}”已不存在。")
        import_string(spec.run)(ctx)
        message = ctx.message or "已完成。"
    except JobFailed as exc:
        status, message = JobStatus.FAILED, str(exc)
    except DomainError as exc:
        status, message = JobStatus.FAILED, "；".join(m["message"] for m in exc.as_list())
    except NotFound:
        status, message = JobStatus.FAILED, "任务失败：您已无权访问这些数据（权限在提交后有变更）。"
    except Exception:  # noqa: BLE001 - the user sees a message, the operator the log
        log.exception("job %s (%s) failed", job.pk, job.kind)
        status, message = (
            JobStatus.FAILED,
            "任务失败：系统内部错误，已记录日志。没有保存任何部分结果，可以重试。",
        )
    finished = timezone.now()
    # a personal job's files (the uploaded file, the result) are deleted after the personal TTL:
    # until then it can be downloaded, or retried from the same file
    expires = finished + dt.timedelta(seconds=personal_ttl()) if job.personal else None
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=status,
            message=message,
            result=ctx.result,
            file_name=job.file_name,
            finished_at=finished,
            heartbeat_at=finished,
            expires_at=expires,
            stage="已完成" if status == JobStatus.SUCCEEDED else "失败",
            # a finished job has done all it counted (its last report may be a batch behind)
            **({"done": F("total")} if status == JobStatus.SUCCEEDED else {}),
        )
        from django.urls import reverse

        from .notify import notify

        done = "已完成" if status == JobStatus.SUCCEEDED else "失败"
        notify(
            recipients=[job.owner],
            kind="core.job_finished",
            subject=f"任务{done}：{job.title}"[:200],
            body=message,
            link=reverse("job_detail", kwargs={"job_id": job.pk}),
            org=job.org,
        )
    return status


def run_queued(limit: int | None = None) -> int:
    """Run the queued jobs in this process, oldest first (tests; an operator emptying the queue)."""
    n = 0
    for pk in Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at").values_list("pk", flat=True):
        execute(str(pk))
        n += 1
        if limit is not None and n >= limit:
            break
    return n


# --- keeping the table honest ---------------------------------------------------------------------


def personal_ttl() -> int:
    return int(getattr(settings, "JICENG_JOB_PERSONAL_TTL", 24 * 3600))


def stale_seconds() -> int:
    return int(getattr(settings, "JICENG_JOB_STALE_SECONDS", 15 * 60))


def _alive(worker: str) -> bool | None:
    """Whether the worker process still runs: True/False when it ran on this host, None elsewhere."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if Path(f"/proc/{pid}/stat").exists():  # a zombie (killed, not yet reaped) is dead
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[-1][:1]
        return state != "Z"
    return True


def reconcile(job: Job) -> Job:
    """A running job whose worker is gone (killed, restarted) is marked failed; its work's own
    transaction was rolled back with the process, so nothing of it was kept."""
    if job.status != JobStatus.RUNNING:
        return job
    alive = _alive(job.worker)
    heard = job.heartbeat_at or job.started_at
    stale = heard is not None and (timezone.now() - heard).total_seconds() > stale_seconds()
    if alive is False or (alive is None and stale):
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, message=INTERRUPTED, stage="中断", finished_at=timezone.now()
        )
        job.refresh_from_db()
    return job


def reconcile_all() -> int:
    """Every running job whose worker is gone (the worker does this when it starts)."""
    n = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING):
        if reconcile(job).status == JobStatus.FAILED:
            n += 1
    return n


def cleanup() -> int:
    """Delete the files (inputs and results) of personal jobs past their expiry and of every job
    finished more than JICENG_JOB_KEEP_DAYS ago. Returns how many job folders went."""
    keep = dt.timedelta(days=int(getattr(settings, "JICENG_JOB_KEEP_DAYS", 30)))
    now = timezone.now()
    gone = 0
    expired = Job.objects.filter(expires_at__lt=now)
    old = Job.objects.filter(finished_at__lt=now - keep)
    for job in list(expired) + list(old):
        folder = job_dir(job)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
        if job.file_name:
            Job.objects.filter(pk=job.pk).update(file_name="")
    return gone


def downloadable(job: Job) -> Path | None:
    """The result file, while it exists and has not expired."""
    path = result_path(job)
    if path is None or not path.exists():
        return None
    if job.expires_at is not None and job.expires_at <= timezone.now():
        return None
    return path


def wait(
    job: Job, timeout: float = 60.0, every: float = 0.2, on_tick: Callable[[Job], None] | None = None
) -> Job:
    """Poll until the job has finished (tests and scripts)."""
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        reconcile(job)
        if on_tick is not None:
            on_tick(job)
        if job.finished or time.monotonic() > deadline:
            return job
        time.sleep(every)
