"""Case ledgers (core.ledgers): every request (诉求台账), errands (代办台账), disputes (矛盾纠纷台账,
with the month's report 月报告 when one month is asked for), wage arrears (欠薪台账) and court
enforcement assistance (执行协助台账). Each reads the cases the exporting user may see
(selectors.ledger_cases: cases_for, the chosen subtree by the place of the case, received in the
period), streamed in chunks with what each row shows joined in, never a query per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.errors import DomainError
from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register

from . import routine_selectors, selectors
from .models import Kind, State
from .setup_forms import parse_month

CHUNK = 2000

# The ledgers are Chinese documents whatever the interface language (as the grading ledger is).
KIND_ZH = {
    "service": "服务诉求",
    "complaint": "投诉举报",
    "dispute": "矛盾纠纷",
    "errand": "代办",
    "wage": "欠薪",
    "enforcement": "执行协助",
}
CHANNEL_ZH = {
    "online": "群众网上提交",
    "visit": "网格走访",
    "window": "服务窗口",
    "phone": "电话",
    "hotline_12345": "12345热线",
    "hotline_12333": "12333热线",
    "wechat": "微信群",
    "open311": "接入系统",
    "court": "法院推送",
}
LEVEL_ZH = {0: "网格", 1: "村（社区）", 2: "乡镇（街道）", 3: "县级"}
STATE_ZH = {
    "received": "待受理",
    "handling": "办理中",
    "resolved": "已办结待评价",
    "closed": "已关闭",
    "dismissed": "不予受理",
}
RATING_ZH = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意", "unrated": "未评价"}
SEVERITY_ZH = {"minor": "较小", "normal": "一般", "serious": "较大", "major": "重大"}
TIER_ZH = {"volunteer": "调解志愿者", "community": "社区调解员", "judge": "社区法官"}
OUTCOME_ZH = {
    "executed": "执行到位",
    "partly": "部分执行",
    "not_executed": "未执行到位",
    "terminated": "终结本次执行",
}

CASE_HEADERS = (
    "受理编号",
    "收到时间",
    "诉求类别",
    "类型",
    "来源渠道",
    "所在地",
    "群众",
    "联系电话",
    "最高办理层级",
    "办理状态",
    "受理时间",
    "办结时间",
    "按时办结",
    "群众评价",
)
ERRAND_HEADERS = (
    "受理编号",
    "收到日期",
    "代办事项",
    "所需材料",
    "最多跑一次",
    "代办员",
    "所在地",
    "承诺时限（工作日）",
    "承诺办结日期",
    "办结日期",
    "按时办结",
    "办理状态",
)
DISPUTE_HEADERS = (
    "受理编号",
    "收到日期",
    "纠纷类别",
    "所在地",
    "紧急程度",
    "调解员类型",
    "调解员",
    "办理状态",
    "达成调解协议",
    "调解协议日期",
    "申请司法确认日期",
)
MONTH_HEADERS = (
    "村（社区）",
    "月份",
    "受理纠纷",
    "其中已关闭",
    "达成调解协议",
    "申请司法确认",
    "月排查",
    "排查发现",
    "其中已化解",
    "较大以上风险",
    "月例会日期",
    "参加人员",
    "月报告",
)
SCREENING_HEADERS = ("村（社区）", "排查发现的矛盾纠纷", "当事人", "风险等级", "是否化解", "关联诉求编号")
WAGE_HEADERS = (
    "受理编号",
    "收到日期",
    "所在地",
    "欠薪单位",
    "统一社会信用代码",
    "项目",
    "涉及人数",
    "欠薪金额（元）",
    "已追回金额（元）",
    "挂牌督办",
    "督办责任单位",
    "督办责任人",
    "移送公安日期",
    "办理状态",
)
ENFORCEMENT_HEADERS = (
    "受理编号",
    "推送日期",
    "法院",
    "执行案号",
    "网格（所在地）",
    "查找情况",
    "找到当事人",
    "取得联系",
    "财产线索",
    "报告时间",
    "执行结果",
    "结果日期",
    "执行到位金额（元）",
)


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _local(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _on_time(case, now: dt.datetime) -> str:
    if case.resolved_at is not None:
        return _yes(case.resolved_at <= case.due_at)
    if case.state in (State.RECEIVED, State.HANDLING) and case.due_at < now:
        return "已超期"
    return ""


def _money(value) -> float | None:
    return None if value is None else float(value)


def _cases(req: LedgerRequest, kinds: tuple[str, ...] = ()):
    qs = selectors.ledger_cases(actor=req.actor, org=req.org, period=req.period, kinds=kinds)
    f = req.filters if isinstance(req.filters, dict) else {}  # the dispute ledger's filter is its month
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    return qs


# --- every request ----------------------------------------------------------------------------------


class CaseLedgerFilters(BoundaryForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *Kind.choices])
    state = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *State.choices])


def case_filters(actor, data) -> tuple[CaseLedgerFilters, dict]:
    form = CaseLedgerFilters(data or None)
    filters = {"kind": "", "state": ""}
    if form.is_bound and form.is_valid():
        filters = {"kind": form.cleaned_data["kind"], "state": form.cleaned_data["state"]}
    return form, filters


def _case_rows(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    now = timezone.now()
    qs = _cases(req).select_related("category", "area")
    for c in qs.iterator(chunk_size=CHUNK):
        yield (
            c.number,
            _local(c.received_at),
            c.category.name,
            KIND_ZH.get(c.kind, c.kind),
            CHANNEL_ZH.get(c.channel, c.channel),
            c.area.name,
            c.resident_name_masked,  # masked only: the full name and phone never leave in a ledger
            c.phone_masked,
            LEVEL_ZH.get(c.top_level, ""),
            STATE_ZH.get(c.state, c.state),
            _local(c.accepted_at),
            _local(c.resolved_at),
            _on_time(c, now),
            RATING_ZH.get(c.rating, ""),
        )


# --- errands ------------------------------------------------------------------------------------------


def _errand_rows(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    now = timezone.now()
    qs = _cases(req, (Kind.ERRAND,)).select_related("category", "area", "owner")
    for c in qs.iterator(chunk_size=CHUNK):
        yield (
            c.number,
            _day(c.received_at),
            c.category.name,
            c.category.documents,
            _yes(c.category.at_most_once),
            str(c.owner) if c.owner_id else "",
            c.area.name,
            c.category.promise_workdays,
            _day(c.due_at),
            _day(c.resolved_at),
            _on_time(c, now),
            STATE_ZH.get(c.state, c.state),
        )


# --- disputes and the monthly report ---------------------------------------------------------------


class MonthFilter(BoundaryForm):
    month = forms.CharField(
        label=_("Month of the report (YYYY-MM)"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "2026-05", "inputmode": "numeric"}),
    )


def month_filter(actor, data) -> tuple[MonthFilter, dt.date | None]:
    """``month``: the month whose report is the second sheet; without it, a period of one calendar
    month ("2026-05") gives the report of that month."""
    form = MonthFilter(data or None)
    month = None
    if form.is_bound and form.is_valid() and form.cleaned_data["month"]:
        month = parse_month(form.cleaned_data["month"])
        if month is None:
            raise DomainError(field="month", message="月份：格式应为 2026-05。")
        if month > timezone.localdate():
            raise DomainError(field="month", message="月份：尚未开始。")
    return form, month


def _report_month(req: LedgerRequest) -> dt.date | None:
    if req.filters:
        return req.filters
    p = req.period
    if p is not None and p.start.day == 1 and p.end == routine_selectors.month_end(p.start):
        return p.start
    return None


def _dispute_rows(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    qs = _cases(req, (Kind.DISPUTE,)).select_related("category", "area", "mediator__user")
    for c in qs.iterator(chunk_size=CHUNK):
        m = c.mediator
        yield (
            c.number,
            _day(c.received_at),
            c.category.name,
            c.area.name,
            SEVERITY_ZH.get(c.severity, c.severity),
            TIER_ZH.get(m.tier, "") if m else "",
            str(m.user) if m else "",
            STATE_ZH.get(c.state, c.state),
            _yes(c.agreement_on is not None),
            c.agreement_on,
            c.confirmation_applied_on,
        )


def _month_title(req: LedgerRequest) -> str:
    month = _report_month(req)
    return f"{month:%Y年%m月}矛盾纠纷月报告" if month else "矛盾纠纷月报告"


def _month_rows(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    month = _report_month(req)
    assert month is not None  # the sheet is shown only then
    for r in routine_selectors.month_rows(actor=req.actor, org=req.org, month=month):
        yield (
            r["area"].name,
            f"{month:%Y-%m}",
            r["received"],
            r["closed"],
            r["mediated"],
            r["applied"],
            _yes(r["screened"]),
            r["findings"],
            r["resolved"],
            r["high_risk"],
            r["meeting_on"],
            r["attendees"],
            "齐全"
            if r["screened"] and r["meeting_on"]
            else "缺"
            + "、".join(
                x for x, done in (("月排查", r["screened"]), ("月例会", r["meeting_on"])) if not done
            ),
        )


def _screening_rows(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    month = _report_month(req)
    assert month is not None
    qs = routine_selectors.month_items(actor=req.actor, org=req.org, month=month)
    for item in qs.iterator(chunk_size=CHUNK):
        yield (
            item.routine.area.name,
            item.description,
            item.parties,
            SEVERITY_ZH.get(item.risk, item.risk),
            _yes(item.resolved),
            item.case.number if item.case_id else "",
        )


def _has_month(req: LedgerRequest) -> bool:
    return _report_month(req) is not None


# --- wage arrears ----------------------------------------------------------------------------------------


def _wage_rows(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    qs = _cases(req, (Kind.WAGE,)).select_related("area", "wage")
    for c in qs.iterator(chunk_size=CHUNK):
        w = getattr(c, "wage", None)
        yield (
            c.number,
            _day(c.received_at),
            c.area.name,
            w.employer if w else "",
            w.employer_uscc if w else "",
            w.project if w else "",
            w.workers if w else None,
            _money(w.amount) if w else None,
            _money(w.recovered) if w else None,
            _yes(w.supervised) if w else "",
            w.responsible_unit if w else "",
            w.responsible_person if w else "",
            w.police_referred_on if w else None,
            STATE_ZH.get(c.state, c.state),
        )


# --- court enforcement assistance ------------------------------------------------------------------------


def _enforcement_rows(req: LedgerRequest) -> Iterator[tuple[Any, ...]]:
    qs = _cases(req, (Kind.ENFORCEMENT,)).select_related("area", "enforcement")
    for c in qs.iterator(chunk_size=CHUNK):
        e = getattr(c, "enforcement", None)
        yield (
            c.number,
            _day(c.received_at),
            e.court if e else "",
            e.court_case_number if e else "",
            c.area.name,
            e.findings if e else "",
            _yes(e.person_located) if e else "",
            _yes(e.contact_made) if e else "",
            e.assets_found if e else "",
            _local(e.reported_at) if e else "",
            OUTCOME_ZH.get(e.outcome, "") if e else "",
            e.outcome_on if e else None,
            _money(e.amount_executed) if e else None,
        )


def _count(kinds: tuple[str, ...] = ()):
    return lambda req: _cases(req, kinds).count()


register(
    Ledger(
        key="cases.cases",
        title="群众诉求台账",
        description="收到的每一件群众诉求一行：类别、渠道、所在地、办理层级与状态、是否按时办结、群众评价（姓名、电话为脱敏显示）。",
        sheets=(Sheet("群众诉求台账", CASE_HEADERS, _case_rows),),
        personal=True,
        parse=case_filters,
        count=_count(),
        target_type="cases.case",
        order=60,
    )
)
register(
    Ledger(
        key="cases.errands",
        title="代办台账",
        description="为民服务全程代办：每件代办事项一行，所需材料、是否最多跑一次、代办员、承诺时限与是否按时办结。",
        sheets=(Sheet("代办台账", ERRAND_HEADERS, _errand_rows),),
        count=_count((Kind.ERRAND,)),
        target_type="cases.case",
        order=61,
    )
)
register(
    Ledger(
        key="cases.disputes",
        title="矛盾纠纷台账",
        description="每件矛盾纠纷一行：紧急程度、调解员（1+1+N）、调解协议与申请司法确认；统计期间为某一月份（或填写月份）时，另附当月的月报告（月排查、月例会）和排查清单。",
        sheets=(
            Sheet("矛盾纠纷台账", DISPUTE_HEADERS, _dispute_rows),
            Sheet(_month_title, MONTH_HEADERS, _month_rows, when=_has_month),
            Sheet("月排查清单", SCREENING_HEADERS, _screening_rows, when=_has_month),
        ),
        personal=True,  # the screening list names the parties
        parse=month_filter,
        count=_count((Kind.DISPUTE,)),
        target_type="cases.case",
        order=62,
    )
)
register(
    Ledger(
        key="cases.wages",
        title="欠薪台账",
        description="每件欠薪诉求一行：欠薪单位、项目、涉及人数与金额、追回金额、挂牌督办的责任单位和责任人、移送公安情况。",
        sheets=(Sheet("欠薪台账", WAGE_HEADERS, _wage_rows),),
        count=_count((Kind.WAGE,)),
        target_type="cases.case",
        order=63,
    )
)
register(
    Ledger(
        key="cases.enforcement",
        title="执行协助台账",
        description="法院推送的每件执行协助事项一行：执行案号、网格查找情况（当事人、联系、财产线索）和法院的执行结果。",
        sheets=(Sheet("执行协助台账", ENFORCEMENT_HEADERS, _enforcement_rows),),
        personal=True,  # what was found about a person and their assets
        count=_count((Kind.ENFORCEMENT,)),
        target_type="cases.case",
        order=64,
    )
)
