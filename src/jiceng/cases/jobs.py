"""The cases app's time-driven work: resolved requests nobody rated close by themselves as 未评价
after the configured working days (run by the background worker about once a minute through
``kit.AppPlugin.periodic``; also ``jiceng manage cases_autoclose`` for a cron job)."""

from __future__ import annotations


def auto_close() -> int:
    from . import services

    return services.auto_close_due()
