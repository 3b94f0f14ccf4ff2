"""A small mobility world on top of tests/world.py, made through the real services:

一村党支部 (branch_a, sec_a): 张三 (member_a) working away since 40 days, 李四 in its party group
二村党支部 (branch_a2): no member yet
三社区党支部 (branch_b, sec_b, another township): 王五 (member_b)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.mobility import services

TODAY = timezone.localdate()


@pytest.fixture
def away(world):
    """张三's out-flow record, recorded by A's secretary 40 days ago."""
    return services.outflow_record(
        actor=world.users["sec_a"],
        member=world.member_a,
        destination="广东东莞",
        employer="某电子厂",
        keep_in_touch="wechat",
        contact="zhangsan_wx",
        card_number="LD0001",
        since=TODAY - dt.timedelta(days=40),
    )
