"""Small helpers the test modules share."""

from __future__ import annotations

import io

import openpyxl
from django.urls import reverse


def ledger_url(key: str) -> str:
    return reverse("ledger_detail", kwargs={"key": key})


def get_ledger(client, key: str, fmt: str = "xlsx", **params):
    """Download a ledger (core.ledgers) as the page's buttons do."""
    return client.get(ledger_url(key), {**params, "format": fmt})


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    raw = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(raw), read_only=True)


def sheet_rows(ws) -> list[tuple]:
    """A ledger sheet's column headers and rows, below its title and subtitle rows."""
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) >= 3 and rows[0][0] and str(rows[1][0]).startswith("填报单位："), rows[:3]
    return rows[2:]


def xlsx_rows(response) -> list[tuple]:
    """The first sheet's headers and rows."""
    return sheet_rows(workbook(response).worksheets[0])
