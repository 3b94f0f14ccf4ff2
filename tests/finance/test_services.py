"""Finance services: each rule and its refusal (nothing stored on a refusal), through the services
with the real database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.finance import queries, selectors, services
from jiceng.finance.models import ContractDue, Handover, Line, MonthClose, Signature, Voucher
from jiceng.people import services as people_services

from .conftest import W_PATH, months_ago

pytestmark = pytest.mark.django_db


def refused(fn, field: str, *args, **kw) -> str:
    before = (
        Voucher.objects.filter(org__path__startswith=W_PATH[0]).count(),
        Line.objects.filter(org__path__startswith=W_PATH[0]).count(),
    )
    with pytest.raises(DomainError) as exc:
        fn(*args, **kw)
    assert field in exc.value.errors, exc.value.errors
    assert (
        Voucher.objects.filter(org__path__startswith=W_PATH[0]).count(),
        Line.objects.filter(org__path__startswith=W_PATH[0]).count(),
    ) == before
    return " ".join(exc.value.errors[field])


def decided_matter(fw, org, title="道路维修", amount=None):
    """A decided matter of the decisions app, as its procedure leaves it (made directly: the
    procedure itself is the decisions app's tests' business)."""
    from jiceng.decisions.models import Matter, Outcome

    day = months_ago(3)
    return Matter.objects.create(
        org=org,
        village=org.area,
        kind="major_expense",
        kind_name="重大开支",
        title=title,
        amount_fen=amount,
        procedure="four_two",
        stage="decided",
        stage_label="已决议",
        outcome=Outcome.DECIDED,
        proposed_on=day,
        decided_on=day,
    )


# --- money and vouchers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"), [("12", 1200), ("12.5", 1250), ("0.01", 1), ("1,234.56", 123456), ("-3.10", -310)]
)
def test_yuan_parses_to_fen(text, fen):
    from jiceng.core.errors import ErrorCollector

    e = ErrorCollector()
    assert services.parse_yuan(text, field="x", label="金额", errors=e) == fen
    assert not e


@pytest.mark.parametrize("text", ["12.345", "0.001", "abc", "1e400", "NaN"])
def test_yuan_refuses_more_than_two_decimals_and_non_numbers(text):
    from jiceng.core.errors import ErrorCollector

    e = ErrorCollector()
    assert services.parse_yuan(text, field="x", label="金额", errors=e) is None
    assert e.errors["x"]


def test_a_balanced_voucher_posts_numbered_per_village_per_year(fw):
    day = timezone.localdate() - dt.timedelta(days=1)
    v1 = fw.post(day, ("102", 50_000, 0), ("501", 0, 50_000))
    v2 = fw.post(day, ("541", 2_000, 0), ("101", 0, 2_000), summary="购办公用品")
    other = fw.post(day, ("102", 100, 0), ("522", 0, 100), org=fw.w.branch_a2, actor=fw.w.users["township"])
    assert (v1.number, v2.number, other.number) == (1, 2, 1)
    assert v1.amount == 50_000 and v1.lines.count() == 2
    assert AuditEntry.objects.filter(action="finance_voucher_post", target_id=str(v1.pk)).exists()


def test_numbers_restart_each_year(fw):
    last_year = dt.date(timezone.localdate().year - 1, 6, 1)
    a = fw.post(last_year, ("102", 100, 0), ("501", 0, 100))
    b = fw.post(timezone.localdate(), ("102", 100, 0), ("501", 0, 100))
    assert (a.year, a.number, b.number) == (last_year.year, 1, 1)


def test_unbalanced_zero_and_two_sided_lines_are_refused(fw):
    day = timezone.localdate()
    assert "借贷不平衡" in refused(fw.post, "lines", day, ("102", 100, 0), ("501", 0, 99))
    assert "只填一个" in refused(fw.post, "lines", day, ("102", 0, 0), ("501", 0, 0))
    assert "只填一个" in refused(fw.post, "lines", day, ("102", 100, 100), ("501", 0, 0))
    assert "非负" in refused(fw.post, "lines", day, ("102", -100, 0), ("501", 0, -100))
    assert "至少两行" in refused(fw.post, "lines", day, ("102", 100, 0))


def test_unknown_account_and_a_parent_with_sub_accounts_are_refused(fw):
    day = timezone.localdate()
    msg = refused(
        services.voucher_post,
        "lines",
        actor=fw.w.users["sec_a"],
        org=fw.village,
        date=day,
        summary="x",
        lines=[services.LineIn(999_999, 100, 0), services.LineIn(fw.acc("501").pk, 0, 100)],
    )
    assert "科目不存在" in msg
    sub = services.account_add(
        actor=fw.w.users["county"],
        county=fw.w.county_org,
        parent_id=fw.acc("501").pk,
        code="50101",
        name="农产品销售收入",
    )
    assert "明细科目" in refused(fw.post, "lines", day, ("102", 100, 0), ("501", 0, 100))
    v = services.voucher_post(
        actor=fw.w.users["sec_a"],
        org=fw.village,
        date=day,
        summary="卖菜",
        lines=[services.LineIn(fw.acc("102").pk, 100, 0), services.LineIn(sub.pk, 0, 100)],
    )
    assert v.number == 1


def test_sub_account_codes_follow_the_parent(fw):
    county, parent = fw.w.county_org, fw.acc("501").pk
    with pytest.raises(DomainError) as exc:
        services.account_add(
            actor=fw.w.users["county"], county=county, parent_id=parent, code="60101", name="x"
        )
    assert "code" in exc.value.errors
    with pytest.raises(NotFound):
        services.account_add(
            actor=fw.w.users["township"], county=county, parent_id=parent, code="50101", name="x"
        )


def test_uscc_checked_when_given(fw):
    day = timezone.localdate()
    assert "统一社会信用代码" in refused(
        fw.post,
        "counterparty_uscc",
        day,
        ("102", 100, 0),
        ("501", 0, 100),
        counterparty="某公司",
        counterparty_uscc="91110000600037341X",
    )
    v = fw.post(
        day, ("102", 100, 0), ("501", 0, 100), counterparty="某公司", counterparty_uscc="91110000600037341L"
    )
    assert v.counterparty_uscc == "91110000600037341L"


def test_date_summary_and_scope(fw):
    future = timezone.localdate() + dt.timedelta(days=1)
    assert "不能晚于今天" in refused(fw.post, "date", future, ("102", 100, 0), ("501", 0, 100))
    assert "必填" in refused(
        fw.post, "summary", timezone.localdate(), ("102", 100, 0), ("501", 0, 100), summary="  "
    )
    with pytest.raises(NotFound):
        fw.post(timezone.localdate(), ("102", 100, 0), ("501", 0, 100), actor=fw.w.users["sec_b"])
    with pytest.raises(NotFound):  # a group is not a village's books
        fw.post(timezone.localdate(), ("102", 100, 0), ("501", 0, 100), org=fw.w.group_a)


def test_attachments_are_photos_stored_without_metadata(fw):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(out, "JPEG")
    v = fw.post(
        timezone.localdate(),
        ("102", 100, 0),
        ("501", 0, 100),
        uploads=[SimpleUploadedFile("r.jpg", out.getvalue(), content_type="image/jpeg")],
    )
    assert v.photos.count() == 1
    assert "附件" in refused(
        fw.post,
        "photos",
        timezone.localdate(),
        ("102", 100, 0),
        ("501", 0, 100),
        uploads=[SimpleUploadedFile("x.jpg", b"not a photo")],
    )


def test_township_kept_books_take_postings_only_from_the_township(fw):
    services.books_set_keeper(actor=fw.w.users["township"], org=fw.village, keeper="township")
    assert "乡镇代理记账" in refused(
        fw.post, "__all__", timezone.localdate(), ("102", 100, 0), ("501", 0, 100)
    )
    v = fw.post(timezone.localdate(), ("102", 100, 0), ("501", 0, 100), actor=fw.w.users["township"])
    assert v.number == 1
    assert AuditEntry.objects.filter(action="finance_books_keeper", org_path=fw.village.path).exists()
    with pytest.raises(NotFound):  # the village does not change its own keeper
        services.books_set_keeper(actor=fw.w.users["sec_a"], org=fw.village, keeper="village")


# --- closed months and reversals ---------------------------------------------------------------------


def _close(fw, month, seats=None):
    seats = seats or fw.panel(3, month - dt.timedelta(days=40))
    fw.sign_all(month, seats, 2)
    return services.month_close(actor=fw.w.users["sec_a"], org=fw.village, month=month)


def test_a_closed_month_takes_no_voucher_and_corrections_are_reversals(fw):
    month = months_ago(2)
    v = fw.post(month + dt.timedelta(days=3), ("102", 10_000, 0), ("501", 0, 10_000))
    _close(fw, month)
    assert "已月结" in refused(fw.post, "date", month + dt.timedelta(days=5), ("102", 1, 0), ("501", 0, 1))
    assert "已月结" in refused(
        services.voucher_reverse,
        "date",
        actor=fw.w.users["sec_a"],
        voucher=v,
        date=month + dt.timedelta(days=9),
        reason="错账",
    )
    before = queries.totals(fw.village, month, queries.month_end(month))
    rev = services.voucher_reverse(
        actor=fw.w.users["sec_a"], voucher=v, date=months_ago(1), reason="金额记错"
    )
    assert rev.reverses == v and [ln.debit for ln in rev.lines.order_by("pk")] == [-10_000, 0]
    assert queries.totals(fw.village, month, queries.month_end(month)) == before
    assert queries.balances(fw.village, timezone.localdate())[fw.acc("102").pk] == 0
    assert "已被冲销" in refused(
        services.voucher_reverse,
        "__all__",
        actor=fw.w.users["sec_a"],
        voucher=v,
        date=months_ago(1),
        reason="再冲",
    )
    assert "不能再冲销" in refused(
        services.voucher_reverse,
        "__all__",
        actor=fw.w.users["sec_a"],
        voucher=rev,
        date=months_ago(1),
        reason="再冲",
    )


def test_no_service_edits_or_deletes_a_voucher():
    assert not [
        n for n in dir(services) if n.startswith("voucher_") and n not in ("voucher_post", "voucher_reverse")
    ]


# --- large expenses --------------------------------------------------------------------------------


def test_large_expense_threshold_below_at_and_above(fw):
    day = timezone.localdate()
    fw.post(day, ("102", 5_000_000, 0), ("521", 0, 5_000_000), summary="上级补助")
    fw.post(day, ("541", 499_999, 0), ("102", 0, 499_999), summary="below")
    fw.post(day, ("541", 500_000, 0), ("102", 0, 500_000), summary="at")
    msg = refused(fw.post, "matter", day, ("154", 500_001, 0), ("102", 0, 500_001), summary="above")
    assert "finance.large_expense_fen" in msg and "5,000.00" in msg
    # a transfer between cash and bank is no expense
    fw.post(day, ("101", 900_000, 0), ("102", 0, 900_000), summary="提现")


def test_large_expense_cites_a_decided_matter_of_the_village_within_its_amount(fw):
    day = timezone.localdate()
    fw.post(day, ("102", 9_000_000, 0), ("521", 0, 9_000_000), summary="上级补助")
    mine = decided_matter(fw, fw.village, amount=1_000_000)
    theirs = decided_matter(fw, fw.w.branch_a2, title="二村修路")
    assert "不是本村" in refused(
        fw.post, "matter", day, ("154", 600_000, 0), ("102", 0, 600_000), matter_id=theirs.pk
    )
    v = fw.post(day, ("154", 600_000, 0), ("102", 0, 600_000), matter_id=mine.pk, summary="修路首付")
    assert (v.matter_ref, v.matter_title) == (mine.pk, "道路维修")
    assert "超出决议金额" in refused(
        fw.post, "matter", day, ("154", 400_001, 0), ("102", 0, 400_001), matter_id=mine.pk
    )
    fw.post(day, ("154", 400_000, 0), ("102", 0, 400_000), matter_id=mine.pk, summary="修路尾款")
    open_ended = decided_matter(fw, fw.village, title="无金额事项")
    fw.post(day, ("154", 3_000_000, 0), ("102", 0, 3_000_000), matter_id=open_ended.pk)


# --- contracts ----------------------------------------------------------------------------------------


def test_contract_dues_from_the_terms_and_rent_paid_once(fw):
    start = months_ago(7)
    c = services.contract_add(
        actor=fw.w.users["sec_a"],
        org=fw.village,
        kind="lease",
        counterparty="李某",
        starts_on=start,
        ends_on=start + dt.timedelta(days=364),
        rent=120_000,
        period_months=3,
    )
    dues = list(ContractDue.objects.filter(contract=c).order_by("due_on"))
    assert len(dues) == 4 and dues[1].due_on == services.add_months(start, 3)
    fw.post(timezone.localdate(), ("102", 120_000, 0), ("511", 0, 120_000), due_id=dues[0].pk)
    assert "已入账" in refused(
        fw.post, "due", timezone.localdate(), ("102", 120_000, 0), ("511", 0, 120_000), due_id=dues[0].pk
    )
    overdue = selectors.overdue_dues(actor=fw.w.users["sec_a"], org=fw.village)
    assert [d.pk for d in overdue] == [d.pk for d in dues if d.due_on < timezone.localdate()][1:]
    with pytest.raises(DomainError) as exc:
        services.contract_add(
            actor=fw.w.users["sec_a"],
            org=fw.village,
            kind="lease",
            counterparty="x",
            starts_on=start,
            ends_on=start,
            rent=0,
            period_months=5,
        )
    assert {"ends_on", "rent", "period_months"} <= set(exc.value.errors)


# --- the panel, signatures and the close -----------------------------------------------------------


def test_panel_refuses_committee_members_and_their_relatives(fw):
    day = months_ago(3)
    chair = fw.person("村委委员甲")
    fw.committee(chair, day)
    home = people_services.household_create(
        actor=fw.w.users["county"], area=fw.w.village_a, address="一村1号", head_name="村委委员甲"
    )
    chair.household = home
    chair.save(update_fields=["household"])
    wife = fw.person("同户家属", household=home)
    son = fw.person("申报亲属")
    services.kinship_declare(
        actor=fw.w.users["township"], org=fw.village, person_id=son.pk, relative_id=chair.pk, relation="child"
    )
    ok = fw.person("普通村民")
    township = fw.w.users["township"]
    for p, why in ((chair, "两委"), (wife, "同户"), (son, "近亲属")):
        with pytest.raises(DomainError) as exc:
            services.panel_seat(actor=township, org=fw.village, person_id=p.pk, since=day)
        assert why in exc.value.errors["person"][0]
    seat = services.panel_seat(actor=township, org=fw.village, person_id=ok.pk, since=day)
    assert seat.person == ok
    with pytest.raises(NotFound):  # the village does not seat its own overseers
        services.panel_seat(actor=fw.w.users["sec_a"], org=fw.village, person_id=ok.pk, since=day)


def test_close_needs_a_majority_of_the_panel_and_publishes_the_month(fw):
    from jiceng.disclosure.models import Item

    month = months_ago(2)
    seats = fw.panel(3, month - dt.timedelta(days=10))
    fw.post(month + dt.timedelta(days=1), ("102", 300_000, 0), ("501", 0, 300_000))
    fw.post(month + dt.timedelta(days=2), ("541", 100_000, 0), ("102", 0, 100_000), summary="办公")
    fw.sign_all(month, seats, 1)
    with pytest.raises(DomainError) as exc:
        services.month_close(actor=fw.w.users["sec_a"], org=fw.village, month=month)
    assert "finance.close_share" in exc.value.errors["month"][0]
    assert not MonthClose.objects.filter(org=fw.village).exists()
    fw.sign_all(month, seats[1:], 1)
    assert Signature.objects.filter(org=fw.village, month=month, on_paper=True).count() == 2
    close = services.month_close(actor=fw.w.users["sec_a"], org=fw.village, month=month)
    assert close.summary["income"] == 300_000 and close.summary["expense"] == 100_000
    item = Item.objects.get(source=f"finance.close:{fw.village.pk}:{month:%Y-%m}")
    assert item.affair == "finance" and "3,000.00" in item.body
    with pytest.raises(DomainError):  # once
        services.month_close(actor=fw.w.users["sec_a"], org=fw.village, month=month)


def test_months_close_in_order_and_not_before_they_end(fw):
    seats = fw.panel(3, months_ago(4))
    fw.post(months_ago(2) + dt.timedelta(days=1), ("102", 100, 0), ("501", 0, 100))
    fw.sign_all(months_ago(1), seats)
    with pytest.raises(DomainError) as exc:
        services.month_close(actor=fw.w.users["sec_a"], org=fw.village, month=months_ago(1))
    assert "逐月结账" in exc.value.errors["month"][0]
    with pytest.raises(DomainError) as exc:
        services.month_close(actor=fw.w.users["sec_a"], org=fw.village, month=months_ago(0))
    assert "尚未结束" in exc.value.errors["month"][0]


def test_signatures_by_seated_members_once(fw):
    month = months_ago(1)
    seats = fw.panel(3, month)
    stranger = fw.person("非成员")
    with pytest.raises(DomainError) as exc:
        services.month_sign(
            actor=fw.w.users["township"], org=fw.village, month=month, person_id=stranger.pk, opinion="同意"
        )
    assert "理财小组成员" in exc.value.errors["person"][0]
    fw.sign_all(month, seats, 1)
    with pytest.raises(DomainError) as exc:
        fw.sign_all(month, seats, 1)
    assert "已对该月签字" in exc.value.errors["person"][0]
    with pytest.raises(NotFound):  # the secretary (on the 两委) records no signatures
        services.month_sign(
            actor=fw.w.users["sec_a"],
            org=fw.village,
            month=month,
            person_id=seats[1].person_id,
            opinion="同意",
        )


def test_a_member_signs_with_their_own_login(fw):
    from tests.factories import UserFactory

    month = months_ago(1)
    (seat,) = fw.panel(1, month)
    user = UserFactory(
        actor=fw.w.users["county"], username="panel1", roles=[("finance_panel_member", fw.village)]
    )
    seat.person.user = user
    seat.person.save(update_fields=["user"])
    user.refresh_from_db()
    sig = services.month_sign(
        actor=user, org=fw.village, month=month, person_id=seat.person_id, opinion="同意", agrees=True
    )
    assert not sig.on_paper and sig.recorded_by == user
    other = fw.panel(1, month)[0]
    with pytest.raises(DomainError) as exc:
        services.month_sign(
            actor=user, org=fw.village, month=month, person_id=other.person_id, opinion="代签"
        )
    assert "只能本人签字" in exc.value.errors["person"][0]


# --- hand-over ------------------------------------------------------------------------------------------


def test_handover_snapshot_is_frozen_and_confirmed_by_both_sides(fw):
    day = timezone.localdate() - dt.timedelta(days=2)
    fw.post(day, ("102", 80_000, 0), ("112", 20_000, 0), ("501", 0, 100_000))
    services.asset_add(
        actor=fw.w.users["sec_a"],
        org=fw.village,
        kind="land",
        name="东坡耕地",
        quantity="12.5",
        unit="亩",
        value=0,
    )
    out_p, in_p = fw.person("老会计"), fw.person("新会计")
    h = services.handover_generate(
        actor=fw.w.users["township"],
        org=fw.village,
        post="村报账员",
        outgoing_id=out_p.pk,
        incoming_id=in_p.pk,
        as_of=day,
    )
    frozen = Handover.objects.get(pk=h.pk).snapshot
    assert {b["code"]: b["balance"] for b in frozen["balances"]} == {
        "102": 80_000,
        "112": 20_000,
        "501": 100_000,
    }
    assert [d["code"] for d in frozen["debts"]] == ["112"] and frozen["assets"][0]["name"] == "东坡耕地"
    fw.post(timezone.localdate(), ("102", 5, 0), ("501", 0, 5))
    assert Handover.objects.get(pk=h.pk).snapshot == frozen
    assert selectors.unconfirmed_handovers(actor=fw.w.users["township"], org=fw.w.town_a_org).count() == 1
    services.handover_confirm(actor=fw.w.users["township"], handover=h, side="outgoing")
    with pytest.raises(DomainError):
        services.handover_confirm(actor=fw.w.users["township"], handover=h, side="outgoing")
    services.handover_confirm(actor=fw.w.users["township"], handover=h, side="incoming")
    h.refresh_from_db()
    assert (
        h.confirmed
        and AuditEntry.objects.filter(action="finance_handover_confirm", target_id=str(h.pk)).count() == 2
    )
    assert selectors.unconfirmed_handovers(actor=fw.w.users["township"], org=fw.w.town_a_org).count() == 0


# --- figures --------------------------------------------------------------------------------------------


def test_operating_income_excludes_subsidies_and_the_award_flag(fw):
    year = timezone.localdate().year
    day = timezone.localdate()
    fw.post(day, ("102", 4_000_000, 0), ("511", 0, 4_000_000), summary="发包")
    fw.post(day, ("102", 9_000_000, 0), ("521", 0, 9_000_000), summary="补助")
    a, a2 = fw.village, fw.w.branch_a2
    assert queries.operating_income([a, a2], dt.date(year, 1, 1), dt.date(year, 12, 31)) == {
        a.pk: 4_000_000,
        a2.pk: 0,
    }
    assert queries.below_award_threshold([a, a2], year) == {a.pk, a2.pk}
    fw.post(day, ("102", 1_000_000, 0), ("501", 0, 1_000_000))
    assert queries.below_award_threshold([a, a2], year) == {a2.pk}
