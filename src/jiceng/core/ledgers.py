"""Ledgers (台账) as a registry: an app declares a ledger (its title, its sheets' columns and the
scoped rows each reads, whether it holds personal data, the filters it takes); one page and one API
endpoint serve any ledger for any subtree and period, as xlsx (rows streamed into a write-only
workbook under the usual Chinese title rows) or as CSV (streamed). Exporting a ledger that holds
personal data needs the export right and is logged here, once, under every subtree its rows may come
from. Every cell is sanitised (``clean_cell``). A ledger too large for a request is written by a job
(core.jobs) whose result only its owner can download.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from . import audit
from .exports import XLSX_CONTENT_TYPE
from .models import Org
from .periods import Period
from .roles import Perm
from .scoping import org_paths


@dataclass(frozen=True)
class LedgerRequest:
    """What an export asks for: the actor, the subtree (None: the actor's whole scope for the
    ledger's permission), the period (None for ledgers without one) and the ledger's own filters,
    as its ``parse`` function cleaned them."""

    actor: Any
    org: Org | None = None
    period: Period | None = None
    filters: Any = None


@dataclass(frozen=True)
class Sheet:
    title: str | Callable[[LedgerRequest], str]
    headers: Sequence[str] | Callable[[LedgerRequest], Sequence[str]]
    rows: Callable[[LedgerRequest], Iterable[Sequence[Any]]]
    # when(req) False leaves the sheet out of that export (a report sheet only for a single month)
    when: Callable[[LedgerRequest], bool] | None = None

    def shown(self, req: LedgerRequest) -> bool:
        return self.when is None or bool(self.when(req))

    def title_for(self, req: LedgerRequest) -> str:
        return self.title(req) if callable(self.title) else self.title

    def headers_for(self, req: LedgerRequest) -> Sequence[str]:
        return self.headers(req) if callable(self.headers) else self.headers


@dataclass(frozen=True)
class Ledger:
    key: str  # "orglife.attendance"
    title: str  # "出勤台账"
    description: str
    sheets: tuple[Sheet, ...]
    personal: bool = False  # names or other personal data leave the system: export right, logged
    period: bool = True  # asks for a statistics period
    # parse(actor, data) -> (bound form or None, filters): the ledger's own filters from the query
    # string (the member list's search, the meeting list's filters); DomainError or NotFound refuse
    parse: Callable[[Any, Any], tuple[Any, Any]] | None = None
    # count(req) -> rows it will write, to run a large one as a job
    count: Callable[[LedgerRequest], int] | None = None
    # check(req) raises DomainError when the request cannot be served (before anything is written)
    check: Callable[[LedgerRequest], None] | None = None
    target_type: str = ""  # what the audit entry of an export names (the rows' model)
    order: int = 100

    @property
    def perm(self) -> str:
        return Perm.EXPORT_PERSONAL if self.personal else Perm.VIEW_ORG


_DECLARED: dict[str, Ledger] = {}


def register(ledger: Ledger) -> Ledger:
    """Declare a ledger (from the module the app's plugin names in ``ledgers``)."""
    if ledger.key in _DECLARED:
        raise ValueError(f"ledger {ledger.key} registered twice")
    _DECLARED[ledger.key] = ledger
    return ledger


def registry() -> dict[str, Ledger]:
    """The ledgers of the installed apps (the app that declares one is the one its rows come from),
    in display order."""
    from . import kit

    kit.plugins()
    found = [lg for lg in _DECLARED.values() if kit.in_installed_app(lg.sheets[0].rows.__module__)]
    return {lg.key: lg for lg in sorted(found, key=lambda lg: (lg.order, lg.key))}


def get(key: str) -> Ledger | None:
    return registry().get(key)


# --- cells -------------------------------------------------------------------------------------------

# C0 controls but the newline (minutes keep their lines), DEL and C1: openpyxl refuses some,
# spreadsheets show none. Removed before the formula check, so that a control character cannot
# hide a leading = + - @ (a tab or carriage return, which can begin a formula, goes with them).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # and lone surrogates
EXCEL_CELL_MAX = 32_767  # characters Excel keeps in a cell; beyond it the workbook needs "repair"
_CUT_NOTE = "…（超出Excel单元格上限，其余内容请在系统中查看）"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_cell(value: Any) -> Any:
    """A cell as it may leave the system: text without control characters, and text that Excel or
    WPS would read as a formula (``= + - @``, a leading tab or carriage return) prefixed with a
    quote; numbers (negative amounts too), dates and empty cells unchanged."""
    if not isinstance(value, str):
        return value
    leading = value.startswith(_FORMULA_START)
    value = _CONTROL.sub("", value)  # then checked again: "\x01=…" would begin a formula once stripped
    if leading or value.startswith(_FORMULA_START):
        value = "'" + value
    if len(value) > EXCEL_CELL_MAX:  # said in the cell, never cut silently
        value = value[: EXCEL_CELL_MAX - len(_CUT_NOTE)] + _CUT_NOTE
    return value


# --- writing ---------------------------------------------------------------------------------------


def sheets_for(ledger: Ledger, req: LedgerRequest) -> list[Sheet]:
    """The sheets an export writes: those whose ``when`` does not leave them out."""
    return [sheet for sheet in ledger.sheets if sheet.shown(req)]


def _subtitle(ledger: Ledger, req: LedgerRequest) -> str:
    from .scoping import root_orgs

    unit = (
        req.org.name if req.org is not None else "、".join(o.name for o in root_orgs(req.actor, ledger.perm))
    )
    parts = [f"填报单位：{unit}"]
    if req.period is not None:
        p = req.period
        parts.append(f"统计期间：{p.start:%Y年%m月%d日}至{p.as_of:%Y年%m月%d日}")
    parts.append(f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}")
    parts.append(f"导出人：{req.actor}")
    return "    ".join(parts)


class Written:
    """What was written: the file (rewound) and the data rows per sheet."""

    def __init__(self, file, rows_per_sheet: list[int]):
        self.file = file
        self.rows_per_sheet = rows_per_sheet

    @property
    def rows(self) -> int:
        return sum(self.rows_per_sheet)


def write_xlsx(ledger: Ledger, req: LedgerRequest, progress: Callable[[int], None] | None = None) -> Written:
    """The ledger as a workbook, a sheet per Sheet: a title row, a row naming the unit, the period
    and the export, the column headers, then the rows, streamed (memory stays flat)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    counts, done = [], 0
    for sheet in sheets_for(ledger, req):
        ws = wb.create_sheet(title=clean_cell(sheet.title_for(req))[:31])
        headers = list(sheet.headers_for(req))
        width = max(len(headers), 1)
        title = WriteOnlyCell(ws, value=clean_cell(sheet.title_for(req)))
        title.font = Font(bold=True, size=14)
        title.alignment = Alignment(horizontal="center")
        ws.append([title])
        ws.append([clean_cell(_subtitle(ledger, req))])
        if width > 1:
            ws.merged_cells.add(f"A1:{get_column_letter(width)}1")
            ws.merged_cells.add(f"A2:{get_column_letter(width)}2")
        bold = Font(bold=True)
        cells = []
        for h in headers:
            c = WriteOnlyCell(ws, value=clean_cell(h))
            c.font = bold
            cells.append(c)
        ws.append(cells)
        n = 0
        for row in sheet.rows(req):
            ws.append([clean_cell(v) for v in row])
            n += 1
            if progress is not None and (done + n) % 5000 == 0:
                progress(done + n)
        counts.append(n)
        done += n
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    wb.save(out)
    out.seek(0)
    return Written(out, counts)


class _Line:
    """A file-like that hands back what csv.writer writes, one row at a time."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    ledger: Ledger, req: LedgerRequest, on_done: Callable[[int], None] | None = None
) -> Iterator[str]:
    """The ledger as CSV (UTF-8 with a byte-order mark, as Excel and WPS expect), streamed: the
    column headers and rows of each sheet; a ledger of several sheets names each before its rows.
    ``on_done(rows)`` runs when the stream ends, however it ends (an export is logged even when the
    client stops reading)."""
    writer = csv.writer(_Line())
    rows = 0
    sheets = sheets_for(ledger, req)
    try:
        yield "\ufeff"
        for i, sheet in enumerate(sheets):
            if len(sheets) > 1:
                if i:
                    yield writer.writerow([])
                yield writer.writerow([clean_cell(sheet.title_for(req))])
            yield writer.writerow([clean_cell(h) for h in sheet.headers_for(req)])
            for row in sheet.rows(req):
                rows += 1
                yield writer.writerow([clean_cell(v) for v in row])
    finally:
        if on_done is not None:
            on_done(rows)


def write_csv(ledger: Ledger, req: LedgerRequest, progress: Callable[[int], None] | None = None) -> Written:
    """The CSV written whole (for a job's result file); ``progress(lines)`` now and then."""
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    counter = {"rows": 0}
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    for n, line in enumerate(csv_lines(ledger, req, on_done=lambda n: counter.update(rows=n))):
        text.write(line)
        if progress is not None and n % 1000 == 0:
            progress(n)
    text.detach()
    out.seek(0)
    return Written(out, [counter["rows"]])


def filename(ledger: Ledger, req: LedgerRequest, fmt: str) -> str:
    parts = [ledger.title]
    if req.org is not None:
        parts.append(req.org.name)
    if req.period is not None:
        parts.append(req.period.label.replace("..", "至"))
    parts.append(f"{timezone.localdate():%Y%m%d}")
    return "-".join(parts) + f".{fmt}"


def export_paths(ledger: Ledger, req: LedgerRequest) -> list[str]:
    """The subtrees an export's rows may come from: the chosen one, else each root of the actor's
    scope for the ledger's permission (so that every auditor above them sees it)."""
    return [req.org.path] if req.org is not None else org_paths(req.actor, ledger.perm)


def record_export(ledger: Ledger, req: LedgerRequest, rows: int, fmt: str, filters: dict[str, Any]) -> None:
    """Exports of personal data are logged with what was asked for and how many rows left, once
    under each subtree the rows may have come from. Other ledgers are not logged."""
    if not ledger.personal:
        return
    for path in export_paths(ledger, req):
        audit.record(
            actor=req.actor,
            action="export",
            target_type=ledger.target_type or f"ledger.{ledger.key}",
            target_repr=f"{ledger.title}导出 {rows} 行",
            org_path=path,
            changes={
                "ledger": [None, ledger.key],
                "filters": [None, filters],
                "rows": [None, rows],
                "period": [None, req.period.label if req.period else None],
                "format": [None, fmt],
            },
        )


@dataclass
class Offer:
    """A ledger as the ledger list shows it to one user."""

    ledger: Ledger
    allowed: bool
    reason: str = ""
    extra: dict = field(default_factory=dict)


def offers(actor) -> list[Offer]:
    """Every installed ledger and whether this user may export it (personal ones need the export right)."""
    from .scoping import has_perm_anywhere

    out = []
    for ledger in registry().values():
        allowed = has_perm_anywhere(actor, ledger.perm)
        out.append(Offer(ledger, allowed, "" if allowed else "含个人信息，须有导出权限"))
    return out


# --- serving one -------------------------------------------------------------------------------------

FORMATS = {"xlsx": XLSX_CONTENT_TYPE, "csv": "text/csv; charset=utf-8"}


def prepare(*, actor, key: str, data) -> tuple[Ledger, LedgerRequest, Any]:
    """The ledger and what ``data`` (a query string) asks of it: ``org`` (a subtree the actor may
    export this ledger for), ``period`` and the ledger's own filters. A ledger the actor may not
    export anywhere, or an organisation outside that scope, is NotFound; a bad period or filter a
    DomainError naming the field. Returns the ledger, the request and the bound filter form."""
    from .errors import DomainError, NotFound
    from .periods import parse_period
    from .scoping import get_scoped_or_404, has_perm_anywhere, orgs_for

    ledger = get(key)
    if ledger is None or not has_perm_anywhere(actor, ledger.perm):
        raise NotFound()
    org = None
    if data.get("org"):
        org = get_scoped_or_404(orgs_for(actor, ledger.perm).select_related("area"), pk=data.get("org"))
    period = None
    if ledger.period:
        period = parse_period(data.get("period") or None)
    form, filters = (None, None)
    if ledger.parse is not None:
        form, filters = ledger.parse(actor, data)
        if form is not None and form.is_bound and not form.is_valid():
            raise DomainError({f: list(msgs) for f, msgs in form.errors.items()})
    req = LedgerRequest(actor=actor, org=org, period=period, filters=filters)
    if ledger.check is not None:
        ledger.check(req)
    return ledger, req, form


def filter_form(ledger: Ledger, actor, data):
    """The ledger's own filter form bound to ``data`` (to show it again with its errors), or None."""
    return ledger.parse(actor, data)[0] if ledger.parse is not None else None


def inline_max() -> int:
    from django.conf import settings

    return int(getattr(settings, "JICENG_LEDGER_INLINE_MAX", 50_000))


def export(ledger: Ledger, req: LedgerRequest, fmt: str, asked: dict[str, Any]):
    """The file at once, or — a ledger of more rows than JICENG_LEDGER_INLINE_MAX — a job that writes
    it (core.jobs; returned instead of a response), whose result only the asker may download."""
    from . import jobs
    from .errors import DomainError

    if fmt not in FORMATS:
        raise DomainError(field="format", message="格式：应为 xlsx 或 csv。")
    if ledger.count is not None and ledger.count(req) > inline_max():
        kind = "core.ledger_export_personal" if ledger.personal else "core.ledger_export"
        query = {k: v for k, v in asked.items() if k != "format"}
        return jobs.start(
            actor=req.actor,
            kind=kind,
            title=f"导出{ledger.title}"[:200],
            org=req.org,
            params={"key": ledger.key, "format": fmt, "query": query},
        )
    return download(ledger, req, fmt, asked)


def download(ledger: Ledger, req: LedgerRequest, fmt: str, asked: dict[str, Any]):
    """The ledger as a file response; a personal one is logged (the CSV once it has been read)."""
    from django.http import FileResponse, StreamingHttpResponse

    from .dbrouter import reporting
    from .errors import DomainError

    if fmt not in FORMATS:
        raise DomainError(field="format", message="格式：应为 xlsx 或 csv。")
    name = filename(ledger, req, fmt)
    if fmt == "xlsx":
        with reporting():
            written = write_xlsx(ledger, req)
        record_export(ledger, req, written.rows, fmt, asked)
        return FileResponse(written.file, as_attachment=True, filename=name, content_type=FORMATS[fmt])

    def lines() -> Iterator[bytes]:
        with reporting():
            for line in csv_lines(ledger, req, on_done=lambda n: record_export(ledger, req, n, fmt, asked)):
                yield line.encode("utf-8")

    response = StreamingHttpResponse(lines(), content_type=FORMATS[fmt])
    response["Content-Disposition"] = _disposition(name)
    return response


def _disposition(name: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, name) or "attachment"
