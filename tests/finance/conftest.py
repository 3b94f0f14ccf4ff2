"""The small world (tests/world.py) with what finance needs: the default chart, helpers to post a
voucher by account codes in fen, persons of village A for the panel and the 两委, and the month
before last (closed-month tests work on it: ended, and no later than the last month)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from jiceng.finance import queries, services
from jiceng.finance.models import Account
from jiceng.people import services as people_services


def months_ago(n: int) -> dt.date:
    m = timezone.localdate().replace(day=1)
    for _ in range(n):
        m = (m - dt.timedelta(days=1)).replace(day=1)
    return m


@dataclass
class FinWorld:
    w: object
    persons: dict = field(default_factory=dict)

    @property
    def village(self):
        return self.w.branch_a

    def acc(self, code: str) -> Account:
        return Account.objects.get(county__isnull=True, code=code)

    def post(self, day: dt.date, *lines, actor=None, org=None, summary="收到租金", **kw):
        return services.voucher_post(
            actor=actor or self.w.users["sec_a"],
            org=org or self.village,
            date=day,
            summary=summary,
            lines=[services.LineIn(self.acc(c).pk, d, cr) for c, d, cr in lines],
            **kw,
        )

    def person(self, name: str, *, household=None, area=None):
        p = people_services.person_create(
            actor=self.w.users["county"], name=name, gender="male", area=area or self.w.village_a
        )
        if household is not None:
            p.household = household
            p.save(update_fields=["household"])
        self.persons[name] = p
        return p

    def committee(self, person, day: dt.date):
        people_services.cadre_post_create(
            actor=self.w.users["county"],
            area=self.w.village_a,
            committee="villagers",
            post="member",
            person=person,
            term_from=day,
        )

    def panel(self, n: int, since: dt.date):
        seats = []
        for i in range(n):
            p = self.person(f"理财{i}号")
            seats.append(
                services.panel_seat(
                    actor=self.w.users["township"], org=self.village, person_id=p.pk, since=since
                )
            )
        return seats

    def sign_all(self, month: dt.date, seats, n: int | None = None):
        for seat in seats[: n if n is not None else len(seats)]:
            services.month_sign(
                actor=self.w.users["township"],
                org=self.village,
                month=month,
                person_id=seat.person_id,
                opinion="账目清楚，同意",
            )


W_PATH = [""]  # the world's county path: counts of rows are of the world, not of the demo county


@pytest.fixture
def fw(world):
    queries.ensure_chart()
    W_PATH[0] = world.county_org.path
    return FinWorld(world)
