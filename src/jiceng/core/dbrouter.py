"""Read-replica routing: reports and exports may read from the "reporting" database alias.

Only code that opts in reads from the replica: a view or block wrapped in ``reporting()``, and only
when the alias is configured (``DATABASE_REPLICA_URL``). Everything else, every write, and every
read inside a transaction stays on "default", so a service never decides on data it cannot see yet
(a replica lags; docs/scaling.md, "Read replica").

    @login_required
    @reporting          # inside login_required: the session and user are read before, from default
    def dashboard(request): ...

    with reporting():
        rows = list(selectors.attendance_ledger_rows(...))
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

REPORTING = "reporting"

# Per thread and per asyncio task: a context variable, not a global, so one request's reporting
# section never leaks into another's.
_active: contextvars.ContextVar[bool] = contextvars.ContextVar("jiceng_reporting", default=False)

# Under pytest "reporting" is a TEST MIRROR of default: a second connection to the test database,
# outside the test's transaction. Only the tests that switch this on read from it.
use_test_mirror = False

# Who is asking, and what they may see, is answered by the primary: a session created a moment
# ago, a user deactivated or a role revoked a moment ago, must count at once.
_PRIMARY_ONLY_APPS = frozenset({"sessions"})
_PRIMARY_ONLY_MODELS = frozenset({"core.roleassignment"})

F = TypeVar("F", bound=Callable[..., Any])


def reporting_alias() -> str | None:
    """The reporting alias when it is configured and usable, else None: every read goes to default."""
    config = connections.settings.get(REPORTING)
    if config is None:
        return None
    if config.get("TEST", {}).get("MIRROR") and not use_test_mirror:
        return None
    return REPORTING


def _in_transaction() -> bool:
    """An atomic block is open on default (TestCase's wrapping blocks do not count, as Django's own
    durable check ignores them): what the transaction reads it may write back."""
    return any(
        not getattr(block, "_from_testcase", False) for block in connections[DEFAULT_DB_ALIAS].atomic_blocks
    )


@contextmanager
def _section() -> Iterator[None]:
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


def reporting(func: F | None = None) -> Any:
    """``with reporting():`` or ``@reporting`` on a sync or async view: reads in that section may
    come from the replica. Wrap read-only work only; writes still go to default regardless."""
    if func is None:
        return _section()
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_view(*args, **kwargs):
            with _section():
                return await func(*args, **kwargs)

        return async_view

    @functools.wraps(func)
    def view(*args, **kwargs):
        with _section():
            return func(*args, **kwargs)

    return view


def reads_from(model: type[Model] | None = None) -> str:
    """The alias a read of ``model`` goes to now (the router's answer; also handy in tests)."""
    if not _active.get() or _in_transaction():
        return DEFAULT_DB_ALIAS
    if model is not None and (
        model._meta.app_label in _PRIMARY_ONLY_APPS
        or model._meta.label_lower in _PRIMARY_ONLY_MODELS
        or model._meta.label == settings.AUTH_USER_MODEL
    ):
        return DEFAULT_DB_ALIAS
    return reporting_alias() or DEFAULT_DB_ALIAS


class ReportingRouter:
    """DATABASE_ROUTERS entry. Both aliases hold the same data, so relations across them are fine;
    the schema is migrated on default only (a replica follows by replication)."""

    def db_for_read(self, model, **hints) -> str:
        return reads_from(model)

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        same_data = {DEFAULT_DB_ALIAS, REPORTING}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
