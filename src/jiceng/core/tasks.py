"""The one django-tasks task: run a tracked job (core/jobs.py) by its id. The worker (``jiceng
worker``, the database backend's ``db_worker``) picks it up."""

from django_tasks import task


@task()
def run_job(job_id: str) -> str:
    from .jobs import execute

    return execute(job_id)


@task()
def dispatch_notifications() -> dict:
    """Deliver the outbox's queued SMS, WeChat and e-mail messages (core/notify.py)."""
    from .notify import dispatch

    return dispatch()
