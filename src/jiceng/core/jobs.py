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

import contextlib
import datetime as dt
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import F, Field
from django.utils import timezone
from django.utils.module_loading import import_string

from . import audit
from .errors import DomainError, NotFound
from .models import Job, JobStatus

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30  # against JICENG_JOB_STALE_SECONDS (900): a live job is never taken for dead
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
    """Where the result is stored: a fixed name (``file_name`` is only what the owner's download is
    called, and it may hold an organisation's name: never part of a path)."""
    return job_dir(job) / "out" / "result" if job.file_name else None


def _private_dir(path: Path) -> Path:
    """A folder only this system user may read (uploads hold ID numbers in clear)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _write_private(path: Path, content: IO[bytes] | bytes) -> None:
    _private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        if isinstance(content, bytes):
            fh.write(content)
        else:
            content.seek(0)
            shutil.copyfileobj(content, fh)


def _process_start(pid: int | str) -> str:
    """The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), so that a
    reused process id is not taken for the worker that died."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[-1].split()[19]
    except (OSError, IndexError):
        return ""


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


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
    job = Job(
        kind=kind,
        title=title or spec.title,
        owner=actor,
        org=org,
        params=params or {},
        personal=spec.personal,
        stage="排队等待",
    )
    try:
        for name, content in (inputs or {}).items():  # before the row: a failed write leaves no job
            _write_private(input_path(job, name), content)
        with transaction.atomic():
            job.save(force_insert=True)
            _record_start(actor, job, org, kind)
            transaction.on_commit(lambda: _enqueue(job))
    except BaseException:
        shutil.rmtree(job_dir(job), ignore_errors=True)  # the inputs of a job that was never made
        raise
    return job


def _record_start(actor, job: Job, org, kind: str) -> None:
    audit.record(
        actor=actor,
        action="job_start",
        target=job,
        target_repr=job.title,
        org_path=org.path if org is not None else "",
        changes={"kind": [None, kind]},
    )


def _enqueue(job: Job) -> None:
    """Hand the job to the task queue; if that fails the job is failed (and can be retried)
    instead of waiting in the queue for ever."""
    from .tasks import run_job

    try:
        result = run_job.enqueue(str(job.id))
    except Exception:  # noqa: BLE001 - the user sees a message, the operator the log
        log.exception("job %s could not be queued", job.pk)
        Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            stage="失败",
            message="任务未能排队（任务队列暂时不可用），没有做任何处理。可以重试。",
            finished_at=timezone.now(),
        )
        return
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
        queued = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
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
        if not queued:  # retried at the same moment from another page
            raise DomainError(field="__all__", message="该任务已在重试中。")
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
        """The result file the owner downloads (one per job), as ``name``."""
        stem, dot, ext = name.rpartition(".")
        if len(name) > 150:  # a download name built from long organisation names: keep its end
            name = f"{stem[:140]}{dot}{ext}" if dot else name[:150]
        self.job.file_name = name
        path = result_path(self.job)
        assert path is not None
        _write_private(path, content)


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
    qn = connection.ops.quote_name
    columns = ", ".join(f"{qn(cast(Field, Job._meta.get_field(k)).column)} = %s" for k in fields)
    sql = f"UPDATE {qn(Job._meta.db_table)} SET {columns} WHERE id = %s"
    for attempt in (1, 2):  # a side connection the server dropped (restart, idle timeout) is remade once
        side = _side.get(os.getpid())
        if side is None:
            side = _side[os.getpid()] = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with side.cursor() as cur:
                cur.execute(sql, [*fields.values(), job_id])
            return
        except DatabaseError:
            _side.pop(os.getpid(), None)
            with contextlib.suppress(DatabaseError):
                side.close()
            if attempt == 2:  # progress is news, not work: never fail the job for it
                log.warning("job %s: progress not written", job_id, exc_info=True)


class _Heartbeat(threading.Thread):
    """Writes the job's heartbeat every HEARTBEAT_SECONDS while it runs, even through a phase that
    reports no progress (a long sort before a ledger's first row), so that no one takes it for dead
    and runs it a second time. Its own connection; on SQLite the write waits for the job's own
    write transaction, which a job keeps short (the import writes at the very end)."""

    def __init__(self, job_id) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{job_id}")
        self.job_id = job_id
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                with contextlib.suppress(DatabaseError):
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
        finally:
            connection.close()  # this thread's own


def execute(job_id: str) -> str:
    """Run one queued job (what the worker's task calls; tests call it, or ``run_queued``, the same
    way). Claims the job first, so a job is never run twice at once. Returns its final status."""
    depth = len(connection.atomic_blocks)
    me = _worker_name()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        worker=me,
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
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
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
        # a result written before the failure (an export whose logging failed) is not handed out
        if job.file_name:
            shutil.rmtree(job_dir(job) / "out", ignore_errors=True)
            job.file_name = ""
    finally:
        heartbeat.stop.set()
    try:
        _finish(job, ctx, me, status, message)
    except Exception:  # noqa: BLE001 - never leave the job running with a live worker
        log.exception("job %s: the outcome could not be written", job.pk)
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=me).update(
            status=JobStatus.FAILED,
            stage="失败",
            message="任务失败：结果未能保存（数据库繁忙），可以重试。",
            finished_at=timezone.now(),
            expires_at=_expiry(job, timezone.now()),
        )
        return JobStatus.FAILED
    heartbeat.join(timeout=1)
    cleanup()  # what has expired since (the worker runs for weeks)
    return status


def _expiry(job: Job, finished: dt.datetime) -> dt.datetime | None:
    """A personal job's files (the uploaded file, the result) are deleted after the personal TTL:
    until then it can be downloaded, or retried from the same file."""
    return finished + dt.timedelta(seconds=personal_ttl()) if job.personal else None


def _finish(job: Job, ctx: JobContext, me: str, status: str, message: str) -> None:
    finished = timezone.now()
    with transaction.atomic():
        # only the run that holds the job writes its outcome (a run declared dead and retried
        # meanwhile must not overwrite the new attempt)
        mine = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=me).update(
            status=status,
            message=message,
            result=ctx.result,
            file_name=job.file_name,
            finished_at=finished,
            heartbeat_at=finished,
            expires_at=_expiry(job, finished),
            stage="已完成" if status == JobStatus.SUCCEEDED else "失败",
            # a finished job has done all it counted (its last report may be a batch behind)
            **({"done": F("total")} if status == JobStatus.SUCCEEDED else {}),
        )
        if not mine:
            log.warning("job %s: finished after it was declared dead; outcome dropped", job.pk)
            return
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
    host, _, rest = worker.partition(":")
    pid, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    if started and _process_start(pid) not in ("", started):  # the id now names another process
        return False
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
        now = timezone.now()
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            message=INTERRUPTED,
            stage="中断",
            finished_at=now,
            expires_at=_expiry(job, now),
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
    # a rejected file's rows (names, dates) are kept on the job for its page: personal, they go too
    expired.filter(personal=True).exclude(result={}).update(result={})
    # folders of jobs that are no more (the owner deleted; a start that failed half-way); an hour
    # old at least, for a job being started writes its files just before its row commits
    root = jobs_dir()
    if root.exists():
        cutoff = time.time() - 3600
        names = {p.name for p in root.iterdir() if p.is_dir() and p.stat().st_mtime < cutoff}
        known = {str(pk) for pk in Job.objects.filter(pk__in=_uuids(names)).values_list("pk", flat=True)}
        for name in names - known:
            shutil.rmtree(root / name, ignore_errors=True)
            gone += 1
    return gone


def _uuids(names: set[str]) -> list[uuid.UUID]:
    out = []
    for n in names:
        with contextlib.suppress(ValueError):
            out.append(uuid.UUID(n))
    return out


HOUSEKEEPING_SECONDS = 15 * 60


def start_housekeeping() -> threading.Thread:
    """In the worker: every quarter of an hour, fail the jobs of dead workers and delete expired
    files, even when no job runs for days (personal files must not outlive their expiry)."""

    def loop() -> None:
        while True:
            time.sleep(HOUSEKEEPING_SECONDS)
            try:
                reconcile_all()
                cleanup()
                from . import security

                security.purge()
            except DatabaseError:
                log.warning("job housekeeping failed; trying again later", exc_info=True)
            finally:
                connection.close()

    thread = threading.Thread(target=loop, daemon=True, name="job-housekeeping")
    thread.start()
    return thread


def downloadable(job: Job) -> Path | None:
    """The result file of a finished job, while it exists and has not expired."""
    if not job.finished:
        return None
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
