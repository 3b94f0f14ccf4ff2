"""What every app's bench section shares: an operation timed beside its SQL floor (the best single
query we can write for the same answer), the ratio in the row's note."""

from __future__ import annotations

import statistics
from collections.abc import Callable


def floor(connection, sql: str, params) -> Callable[[], object]:
    if connection.vendor == "sqlite":  # SQLite's scalar min()/max() take many arguments; it has no LEAST
        sql = sql.replace("LEAST(", "MIN(").replace("GREATEST(", "MAX(")

    def run():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    return run


def with_floor(table, name: str, app: Callable[[], object], floor_fn: Callable[[], object], n: int) -> None:
    t = table.timed(name, app, n=n)
    f = table.timed(f"  floor {name}", floor_fn, n=n)
    table.rows[-1] = (
        *table.rows[-1][:5],
        f"app/floor = {statistics.median(t) / max(statistics.median(f), 0.001):.2f}",
    )
