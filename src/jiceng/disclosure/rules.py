"""The disclosure rules of the default pack (村民委员会组织法 第三十条; 004-P3 for the local
deadline; unconfirmed values marked in docs/rule-packs.md).

How a deadline reads: each affair is published at least once per period of its cadence (a month or
a quarter); the item of a period is due by ``disclosure.deadline_day`` of the following period. An
item published on a day of period P therefore covers the period before it, and the next one is due
by that day of the period after P (queries.due_by)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiceng.core.kit import Rule, RuleField, RuleValueError, record, scalar
from jiceng.core.rulepacks import positive_int

AFFAIRS = ("party", "village", "finance", "service")
CADENCES = (("month", "每月"), ("quarter", "每季度"))
AFFAIR_ZH = {"party": "党务", "village": "村务", "finance": "财务", "service": "服务"}


def _cadence(value: Any) -> None:
    if not isinstance(value, dict) or set(value) != set(AFFAIRS):
        raise RuleValueError("应为党务、村务、财务、服务各自的公开周期。")
    for affair, every in value.items():
        if every not in dict(CADENCES):
            raise RuleValueError(f"{AFFAIR_ZH.get(affair, affair)}：公开周期应为每月或每季度。")


def _day(value: Any) -> None:
    positive_int(value)
    if value > 28:
        raise RuleValueError("应为1至28之间的日（每个月都有的一天）。")


def _small_days(value: Any) -> None:
    positive_int(value)
    if value > 3650:
        raise RuleValueError("应为1至3650天。")


RULES = (
    Rule(
        "disclosure.cadence",
        {"party": "quarter", "village": "quarter", "finance": "month", "service": "quarter"},
        "党务、村务、财务、服务各自至少多久公开一次",
        "村民委员会组织法 第三十条：一般事项至少每季度公布一次；集体财务往来较多的，财务收支情况应当每月公布一次；"
        "涉及村民利益的重大事项应当随时公布（党务、服务公开参照村务）",
        validate=_cadence,
        shape=record(
            *(RuleField(a, f"{AFFAIR_ZH[a]}公开", type="choice", choices=CADENCES) for a in AFFAIRS)
        ),
    ),
    Rule(
        "disclosure.deadline_day",
        10,
        "上一期的公开最迟在下一期的第几日前完成",
        "004-P3：每月10日前将社区的财务、低保、工作动态等进行公开（地方做法）",
        local=True,
        validate=_day,
        shape=scalar("int", unit="日"),
    ),
    Rule(
        "disclosure.major_days",
        3,
        "重大事项在决定（发生）后几天内公开",
        "村民委员会组织法 第三十条：涉及村民利益的重大事项应当随时公布（“随时”的天数为地方做法，未经确认）",
        local=True,
        validate=_small_days,
        shape=scalar("int", unit="天"),
    ),
    Rule(
        "disclosure.names_display_days",
        7,
        "公开事项中点名的人员（低保对象、补贴或承包人）在公开页显示几天",
        "最低生活保障审核确认办法（民政部，2021）第十九条：公示期为7天（用于其他点名公开为参照，未经确认）",
        local=True,
        validate=_small_days,
        shape=scalar("int", unit="天"),
    ),
)


def period_start(day: dt.date, cadence: str) -> dt.date:
    """The first day of the month or quarter holding ``day``."""
    if cadence == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def next_period(start: dt.date, cadence: str) -> dt.date:
    months = 3 if cadence == "quarter" else 1
    m = start.month - 1 + months
    return dt.date(start.year + m // 12, m % 12 + 1, 1)


def due_by(last: dt.date | None, today: dt.date, cadence: str, day: int) -> dt.date:
    """The day the next item is due by, after one published on ``last`` (None: never published —
    then the deadline of the latest period that has come, so a new village is not overdue for
    years it did not exist)."""
    if last is None:
        return period_start(today - dt.timedelta(days=day), cadence) + dt.timedelta(days=day - 1)
    return next_period(period_start(last, cadence), cadence) + dt.timedelta(days=day - 1)


def overdue_cutoff(today: dt.date, cadence: str, day: int) -> dt.date:
    """An affair whose last item was published before this day is overdue on ``today``
    (equivalently: due_by(last) < today)."""
    return period_start(today - dt.timedelta(days=day), cadence)
