"""Core's job kinds (core.jobs): a large ledger export, and a refresh of the rollups of a subtree."""

from __future__ import annotations

from django.http import QueryDict

from . import ledgers, rollups
from .dbrouter import reporting
from .errors import NotFound
from .jobs import JobContext, JobFailed, JobKind, register
from .models import Org
from .periods import parse_period
from .roles import Perm
from .scoping import can_access_org


def run_ledger_export(ctx: JobContext) -> None:
    """Written as its owner asked it, with the owner's rights as they are now (a right revoked since
    the request refuses the export), then logged like any export of the ledger."""
    p = ctx.params
    data = QueryDict(mutable=True)
    for key, value in p.get("query", {}).items():
        data[key] = value
    ledger, req, _form = ledgers.prepare(actor=ctx.owner, key=p["key"], data=data)
    fmt = p.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise JobFailed("格式：应为 xlsx 或 csv。")
    with reporting():  # the reads may come from the replica, as an export in a request does
        total = ledger.count(req) if ledger.count else 0
        ctx.progress(0, total, stage="写入", force=True)
        write = ledgers.write_xlsx if fmt == "xlsx" else ledgers.write_csv
        written = write(ledger, req, progress=lambda n: ctx.progress(n, total))
    # logged before the file is kept: no personal export leaves unlogged
    ledgers.record_export(ledger, req, written.rows, fmt, dict(p.get("query", {})))
    ctx.save_result(ledgers.filename(ledger, req, fmt), written.file)
    ctx.result = {"written": written.rows}
    ctx.message = f"{ledger.title}：已写出 {written.rows} 行。"


def run_rollup_refresh(ctx: JobContext) -> None:
    """Every rollup organisation of the subtree, deepest first, for the period (default: this year)."""
    period = parse_period(ctx.params.get("period") or None)
    org = ctx.org
    if org is None:  # the organisation was dissolved and deleted since: never the whole tree instead
        raise JobFailed("任务失败：该组织已不存在。")
    if not can_access_org(ctx.owner, Perm.MANAGE_RULES, org):  # a right revoked since the request
        raise NotFound()
    orgs = list(
        Org.objects.filter(path__startswith=org.path, kind__in=rollups.rollup_kinds()).order_by(
            "-depth", "path"
        )
    )
    ctx.progress(0, len(orgs), stage="重新计算汇总", force=True)
    for i, o in enumerate(orgs, 1):
        rollups.refresh(o, period)
        ctx.progress(i, len(orgs))
    ctx.result = {"organisations": len(orgs)}
    ctx.message = f"已重新计算 {len(orgs)} 个党委的汇总（{period.label}）。"


register(JobKind(key="core.ledger_export", title="导出台账", run="jiceng.core.job_kinds.run_ledger_export"))
register(
    JobKind(
        key="core.ledger_export_personal",
        title="导出台账（含个人信息）",
        run="jiceng.core.job_kinds.run_ledger_export",
        personal=True,
    )
)
register(
    JobKind(key="core.rollup_refresh", title="重新计算汇总", run="jiceng.core.job_kinds.run_rollup_refresh")
)
