"""Ledger exports: openpyxl write-only (streaming) workbooks, formula-injection safe."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Model
from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Rows fetched per round trip by a ledger's flat query (a server-side cursor on PostgreSQL): big
# enough that fetching is noise beside writing the sheet, small enough to keep memory flat.
EXPORT_CHUNK_SIZE = 10_000


def choice_labels(model: type[Model], field: str) -> dict[Any, str]:
    """value → label of a choices field in the active language, what ``get_<field>_display()`` gives,
    looked up once per export instead of once per row."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(out, filename: str) -> FileResponse:
    """The download of a workbook written by ``write_xlsx`` (or any xlsx file object)."""
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def safe_cell(value: Any) -> Any:
    """A text cell that Excel/WPS would read as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> tempfile.SpooledTemporaryFile:
    """One sheet. Rows are consumed lazily (pass an iterator over .iterator()), memory stays flat."""
    return write_xlsx_sheets([(title, headers, rows)])


def _append_sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    ws = wb.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        header_cells.append(c)
    ws.append(header_cells)
    count = 0
    for row in rows:
        ws.append([safe_cell(v) for v in row])
        count += 1
    return count


def write_xlsx_sheets(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
) -> tempfile.SpooledTemporaryFile:
    """One workbook, a sheet per (title, headers, rows) in order; rows streamed and formula-safe as in
    ``write_xlsx``. ``rows_per_sheet`` on the result counts each sheet's data rows."""
    wb = Workbook(write_only=True)
    counts = [_append_sheet(wb, title, headers, rows) for title, headers, rows in sheets]
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    wb.save(out)
    out.seek(0)
    out.rows_written = sum(counts)  # type: ignore[attr-defined]
    out.rows_per_sheet = counts  # type: ignore[attr-defined]
    return out
