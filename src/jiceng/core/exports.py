"""What exports share: the flat queries' chunk size, choice labels looked up once, the xlsx download.
Ledgers themselves are written by core.ledgers."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Field, Model
from django.http import FileResponse

# Rows fetched per round trip by a ledger's flat query (a server-side cursor on PostgreSQL): big
# enough that fetching is noise beside writing the sheet, small enough to keep memory flat.
EXPORT_CHUNK_SIZE = 10_000


def choice_labels(model: type[Model], field: str) -> dict[Any, str]:
    """value → label of a choices field in the active language, what ``get_<field>_display()`` gives,
    looked up once per export instead of once per row."""
    choices_field = cast(Field, model._meta.get_field(field))
    return {value: str(label) for value, label in choices_field.flatchoices}


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(out, filename: str) -> FileResponse:
    """The download of an xlsx file object."""
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
