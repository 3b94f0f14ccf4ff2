"""The plugin's part of the demo and of jiceng gen: one holiday-table row each, to be found."""

import datetime as dt


def build(ctx):
    from jiceng.core.models import HolidayOverride

    HolidayOverride.objects.create(date=dt.date(2031, 1, 2), is_workday=False, name="插件示例假日")
    ctx.summary.append("1 口示例水井")


def gen(ctx):
    from jiceng.core.models import HolidayOverride

    HolidayOverride.objects.create(date=dt.date(2031, 1, 3), is_workday=False, name="插件示例假日（合成）")
    ctx.counts["wells"] = 1
