"""People's job kinds (core.jobs): the bulk member import (批量导入党员)."""

from __future__ import annotations

import tempfile

from openpyxl import Workbook

from jiceng.core.jobs import JobContext, JobFailed, JobKind, register

from . import imports

ERRORS_KEPT = 10_000  # rows of a rejected file kept with the job for the page and the API


def run_import(ctx: JobContext) -> None:
    """The stored file, checked and written by ``imports.member_import`` as the owner; a rejected
    file fails the job with every problem listed (the first 10,000 kept, all in the error file)."""
    name = ctx.params["filename"]
    with ctx.input("upload").open("rb") as fh:
        try:
            result = imports.member_import(
                actor=ctx.owner,
                org=ctx.org,
                file=fh,
                filename=name,
                progress=ctx.progress,
                ignore_unknown=bool(ctx.params.get("ignore_unknown")),
            )
        except imports.MemberImportRejected as exc:
            ctx.result = {
                "bad_rows": exc.bad_rows,
                "error_count": len(exc.rows),
                "rows": [e.as_dict() for e in exc.rows[:ERRORS_KEPT]],
            }
            ctx.save_result("导入错误清单.xlsx", _error_book(exc.rows))
            raise JobFailed(exc.as_list()[0]["message"]) from None
    ctx.result = {"created": result.created}
    ctx.message = f"已导入 {result.created} 名党员。"


def _error_book(rows: list[imports.RowError]):
    """Every problem of a rejected file, for correcting it in Excel."""
    from jiceng.core.ledgers import clean_cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误清单")
    ws.append(["行号", "列", "内容（身份证号、电话脱敏）", "问题"])
    for e in rows:
        ws.append([e.row, clean_cell(e.column), clean_cell(e.value), clean_cell(e.message)])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the job
    wb.save(out)
    return out


register(
    JobKind(
        key="people.member_import", title="批量导入党员", run="jiceng.people.jobs.run_import", personal=True
    )
)
