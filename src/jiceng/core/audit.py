"""Audit log writer. Every service write calls ``record``; reads of full personal data too.

Request context (IP, user agent) travels in a context variable set by RequestContextMiddleware,
so services need not be handed the request.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import models

from . import bulk
from .models import AuditEntry, RollupDirty


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""


_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "jiceng_request_context", default=None
)


def set_request_context(ctx: RequestContext) -> contextvars.Token:
    return _context.set(ctx)


def reset_request_context(token: contextvars.Token) -> None:
    _context.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed. Callers pass masked personal values."""
    if not before:  # a new record (an import writes 100,000 of these): every field that has a value
        return {k: [None, _plain(v)] for k, v in sorted(after.items()) if v is not None}
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = [old, new]
    return out


# Audited reads: they change no figure, so they leave the rollups alone.
READ_ACTIONS = frozenset({"reveal", "export"})


def _entry(
    actor,
    action: str,
    ctx: RequestContext,
    *,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    org_path: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """One unsaved entry: the columns ``record`` and ``record_many`` both write."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)
    known = getattr(actor, "pk", None)
    return AuditEntry(
        actor=actor if known else None,
        actor_name=(str(actor) if known else "system")[:150],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr[:200],
        org_path=org_path,
        changes=changes or {},
        ip=ctx.ip,
        user_agent=ctx.user_agent[:300],
    )


def _mark_dirty(action: str, paths: Iterable[str]) -> None:
    """A write under these organisations: the rollups above them are behind (core/rollups.py)."""
    if action not in READ_ACTIONS:
        RollupDirty.objects.bulk_create([RollupDirty(org_path=p) for p in sorted(set(paths)) if p])


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    org_path: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = _entry(
        actor,
        action,
        _context.get() or RequestContext(),
        target=target,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        org_path=org_path,
        changes=changes,
    )
    entry.save()
    _mark_dirty(action, [org_path])
    return entry


def record_many(
    *, actor, action: str, entries: Iterable[tuple[models.Model, str, dict[str, Any]]], batch_size: int = 2000
) -> int:
    """``record`` for many records at once (bulk imports): one ``(target, org_path, changes)`` per
    entry, inserted in batches, and one RollupDirty row per organisation written under (not one
    per entry). Returns how many entries were written."""
    ctx = _context.get() or RequestContext()
    rows = (
        _entry(actor, action, ctx, target=target, org_path=org_path, changes=changes)
        for target, org_path, changes in entries
    )
    paths: set[str] = set()
    written = 0
    while batch := list(islice(rows, batch_size)):
        bulk.insert(batch, batch_size=batch_size)
        paths.update(e.org_path for e in batch)
        written += len(batch)
    _mark_dirty(action, paths)
    return written


def action_labels() -> dict[str, Any]:
    """Display names of audit actions (the log stores the code), from every app's plugin."""
    from . import kit

    return kit.action_labels()


def field_labels() -> dict[str, Any]:
    """Display names of changed fields, from every app's plugin."""
    from . import kit

    return kit.field_labels()


# --- reading the log ------------------------------------------------------------------------------


def _model_fields(target_type: str) -> dict[str, models.Field]:
    """The fields a change of ``target_type`` ("app.model") may name: its model's, then those of
    the other models of its app (a member's change names its person's fields)."""
    from django.apps import apps

    app_label, _, model_name = target_type.partition(".")
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return {}
    out: dict[str, models.Field] = {}
    ordered = sorted(config.get_models(), key=lambda m: m._meta.model_name != model_name)
    for model in ordered:
        for f in model._meta.get_fields():
            if isinstance(f, models.Field) and f.name not in out:
                out[f.name] = f
    return out


def _readable_value(field: models.Field | None, value: Any) -> str:
    from django.utils.translation import gettext

    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        if isinstance(value, list):
            return "、".join(str(labels.get(str(v), v)) for v in value)
        return str(labels.get(str(value), value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return gettext("%(n)d entries") % {"n": len(value)}
        return "、".join(_readable_value(None, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_readable_value(None, v)}" for k, v in value.items())
    return str(value)


def readable_changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field label, before, after) as the forms show them: labels from the model (or the app's
    registered audit fields), choice codes as their labels. Any key name works, "items" too."""
    fields = _model_fields(entry.target_type)
    labels = field_labels()
    out = []
    for name, before, after in entry.change_list:
        field = fields.get(name)
        if name in labels:
            label = str(labels[name])
        elif field is not None and hasattr(field, "verbose_name"):
            label = str(field.verbose_name)
        else:
            label = name
        out.append((label, _readable_value(field, before), _readable_value(field, after)))
    return out
