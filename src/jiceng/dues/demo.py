"""Dues in the demo county: a declaration for every member (from twelve months before the demo's
month, or the month of admission if later; one in twenty with a pay rise six months ago), and the
payments of the last twelve months up to last month as branches collect them — most monthly at the
theme day (主题党日), some quarterly or for half a year at once, a few behind: about one in
twenty-five owes three to five months and one in fifty six months or more (党章第九条's sign). Some
monthly payers have paid the current month already. Written in bulk (demo and ``jiceng gen`` share
``story``); audit entries are not written for generated rows."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from jiceng.core.demo import DemoContext
from jiceng.core.gen import Ids, ModelSink

from . import calc
from .models import DuesBase, Payment, PaymentMonth
from .rules import DEFAULT_RATES

MONTHS = 12


@dataclass
class Decl:
    group: str
    base: Decimal | None
    rate: Decimal | None
    amount: Decimal
    from_no: int
    until_no: int | None


@dataclass
class Pay:
    lo: int
    hi: int
    paid_on: dt.date
    method: str
    reference: str


def _group(rng: random.Random, age: int | None, place: str) -> tuple[str, Decimal | None]:
    """The member's group and base: retirees by age, farmers in villages, employees in
    communities and township organs; a few students and members on 低保."""
    r = rng.random()
    if age is not None and age < 24 and r < 0.5:
        return "low_income", None
    if r < 0.03:
        return "low_income", None
    if age is not None and age >= 60:
        if place == "village" and rng.random() < 0.6:
            return "farmer", None
        return "retired", Decimal(rng.choice((1800, 2600, 3200, 4100, 5000, 5200, 6300)))
    if place == "village" and rng.random() < 0.7:
        return "farmer", None
    pay = rng.choice((2400, 2900, 3000, 3500, 4300, 5000, 5600, 6800, 8200, 9600, 10000, 12500))
    return "employed", Decimal(pay) + Decimal(rng.randint(0, 99))


def _decl(rng: random.Random, group: str, base: Decimal | None, from_no: int) -> Decl:
    if group in calc.PERCENT_GROUPS:
        assert base is not None
        rate, amount = calc.monthly_amount(DEFAULT_RATES, group, base)
        return Decl(group, base, rate, amount, from_no, None)
    if group == "farmer":
        return Decl(group, None, None, Decimal(rng.choice(("0.20", "0.50", "0.50", "1.00"))), from_no, None)
    return Decl(group, None, None, Decimal("0.20"), from_no, None)


def story(
    rng: random.Random, *, joined_on: dt.date, age: int | None, place: str, as_of: dt.date
) -> tuple[list[Decl], list[Pay]]:
    """One member's declarations and payments up to the day before ``as_of``."""
    current = calc.month_no(as_of)
    last = current - 1
    start = max(current - MONTHS, calc.month_no(joined_on))
    if start > last:
        return [], []
    group, base = _group(rng, age, place)
    decls = [_decl(rng, group, base, start)]
    if base is not None and group == "employed" and last - start >= 8 and rng.random() < 0.05:
        rise = current - 6
        decls[0].until_no = rise - 1
        decls.append(_decl(rng, group, (base * Decimal("1.12")).quantize(Decimal(1)), rise))
    # the last month paid: everything, or behind by 3–5 months, or 6–9 (党章第九条's sign)
    r = rng.random()
    paid_to = last
    if r < 0.02:
        paid_to = last - rng.randint(6, 9)
    elif r < 0.06:
        paid_to = last - rng.randint(3, 5)
    elif r < 0.12:
        paid_to = last - 1
    habit = rng.choices(("monthly", "quarterly", "half"), weights=(60, 30, 10))[0]
    step = {"monthly": 1, "quarterly": 3, "half": 6}[habit]
    pays: list[Pay] = []
    no = start
    yesterday = as_of - dt.timedelta(days=1)
    while no <= paid_to:
        hi = min(no + step - 1, paid_to)
        day = calc.month_start(hi) + dt.timedelta(days=rng.randint(8, 24))
        day = min(day, yesterday)
        transfer = rng.random() < 0.35
        ref = f"4200{rng.randint(10**11, 10**12 - 1)}" if transfer else ""
        pays.append(Pay(no, hi, day, "transfer" if transfer else "cash", ref))
        no = hi + 1
    if paid_to == last and habit == "monthly" and as_of.day > 12 and rng.random() < 0.5:
        pays.append(
            Pay(
                current, current, as_of - dt.timedelta(days=rng.randint(1, min(as_of.day - 1, 5))), "cash", ""
            )
        )
    return decls, pays


class _ChildSink(ModelSink):
    """A sink whose rows name rows of ``parents``: those are written first. SQLite checks a
    deferred foreign key when the parent arrives by scanning the child table, unindexed during a
    bulk load (core.gen.deferred_indexes): parents after children would be quadratic."""

    def __init__(self, model, fields: tuple[str, ...], parents: tuple[ModelSink, ...]) -> None:
        super().__init__(model, fields)
        self.parents = parents

    def _flush(self) -> None:
        for parent in self.parents:
            parent._flush()
        super()._flush()


class Writer:
    """Declarations, payments (with receipt numbers from their keys) and paid months, streamed."""

    def __init__(self, ids: Ids, now, recorded_by: int | None = None) -> None:
        self.ids, self.now, self.by = ids, now, recorded_by
        self.bases = ModelSink(
            DuesBase,
            (
                "id",
                "member",
                "category",
                "base",
                "rate",
                "amount",
                "from_month",
                "from_no",
                "until_no",
                "note",
                "recorded_by",
                "created_at",
            ),
        )
        self.payments = ModelSink(
            Payment,
            (
                "id",
                "receipt_no",
                "member",
                "org",
                "from_month",
                "to_month",
                "months",
                "amount",
                "method",
                "reference",
                "paid_on",
                "recorded_by",
                "created_at",
            ),
        )
        self.months = _ChildSink(
            PaymentMonth,
            ("payment", "member", "base", "month", "month_no", "amount"),
            (self.bases, self.payments),
        )

    def __enter__(self) -> Writer:
        return self

    def member(self, member_id: int, org_id: int, decls: list[Decl], pays: list[Pay]) -> None:
        base_ids = []
        for d in decls:
            pk = self.ids.take("dues_duesbase")
            base_ids.append((pk, d))
            self.bases.row(
                (
                    pk,
                    member_id,
                    d.group,
                    d.base,
                    d.rate,
                    d.amount,
                    calc.month_start(d.from_no),
                    d.from_no,
                    d.until_no,
                    "",
                    self.by,
                    self.now,
                )
            )
        for p in pays:
            pk = self.ids.take("dues_payment")
            total = Decimal(0)
            lines = []
            for no in range(p.lo, p.hi + 1):
                bid, d = next(
                    (b, d)
                    for b, d in base_ids
                    if d.from_no <= no and (d.until_no is None or no <= d.until_no)
                )
                lines.append((pk, member_id, bid, calc.month_start(no), no, d.amount))
                total += d.amount
            receipt = f"DF{p.paid_on:%Y}{pk:08d}"
            self.payments.row(
                (
                    pk,
                    receipt,
                    member_id,
                    org_id,
                    calc.month_start(p.lo),
                    calc.month_start(p.hi),
                    p.hi - p.lo + 1,
                    total,
                    p.method,
                    p.reference,
                    p.paid_on,
                    self.by,
                    self.now,
                )
            )
            for line in lines:
                self.months.row(line)

    def __exit__(self, *exc) -> None:
        for sink in (self.bases, self.payments, self.months):
            sink.__exit__(*exc)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "dues_bases": self.bases.count,
            "dues_payments": self.payments.count,
            "dues_months": self.months.count,
        }


def _members(ctx: DemoContext) -> Iterator[tuple[int, int, dt.date, dt.date | None, str]]:
    """Every member on the rolls on the demo's day (those the earlier steps admitted too), with
    where their organisation is (a village or grid: farmers; elsewhere: employees)."""
    from jiceng.people import queries as people

    rows = (
        people.members_on(ctx.as_of)
        .order_by("pk")
        .values_list("pk", "org_id", "joined_on", "person__birth_date", "org__area__kind")
    )
    for pk, org_id, joined_on, birth, kind in rows.iterator(chunk_size=5000):
        yield pk, org_id, joined_on, birth, "village" if kind in (None, "village", "grid") else "other"


def build(ctx: DemoContext) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    as_of = ctx.as_of
    ctx.say("党费：核定基数与近12个月的交纳")
    # its own generator: the steps after this one draw what they drew before dues existed
    rng = random.Random(f"dues:{as_of.isoformat()}:{ctx.n_villages}:{ctx.n_members}")
    secretary = get_user_model().objects.filter(username="secretary").values_list("pk", flat=True).first()
    ids = Ids()
    with Writer(ids, timezone.now(), recorded_by=secretary) as w:
        for pk, org_id, joined_on, birth, place in _members(ctx):
            age = (as_of - birth).days // 365 if birth else None
            decls, pays = story(rng, joined_on=joined_on, age=age, place=place, as_of=as_of)
            w.member(pk, org_id, decls, pays)
    ids.reset_sequences()
    c = w.counts
    ctx.summary.append(
        f"{c['dues_bases']} 条党费核定，{c['dues_payments']} 张党费收据（{c['dues_months']} 个已交月份）"
    )
