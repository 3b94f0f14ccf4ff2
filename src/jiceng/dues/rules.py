"""The dues app's rules of the default pack: the rate table (2008 rules) and the months after which
arrears are flagged."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from jiceng.core.kit import Rule, RuleField, RuleValueError, rows, scalar
from jiceng.core.rulepacks import is_number, positive_int

SOURCE_2008 = "中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"
GROUP_CHOICES = (
    ("employed", "在职党员（税后工资性收入）"),
    ("retired", "离退休党员（离退休费）"),
    ("farmer", "农民党员"),
    ("low_income", "学生、下岗失业、低保党员"),
)
GROUPS = tuple(code for code, _label in GROUP_CHOICES)
PERCENT_GROUPS = ("employed", "retired")

DEFAULT_RATES: dict[str, list[dict[str, Any]]] = {
    "employed": [
        {"up_to": 3000, "rate": 0.005, "min_amount": None, "max_amount": None},
        {"up_to": 5000, "rate": 0.01, "min_amount": None, "max_amount": None},
        {"up_to": 10000, "rate": 0.015, "min_amount": None, "max_amount": None},
        {"up_to": None, "rate": 0.02, "min_amount": None, "max_amount": None},
    ],
    "retired": [
        {"up_to": 5000, "rate": 0.005, "min_amount": None, "max_amount": None},
        {"up_to": None, "rate": 0.01, "min_amount": None, "max_amount": None},
    ],
    "farmer": [{"up_to": None, "rate": None, "min_amount": 0.2, "max_amount": 1}],
    "low_income": [{"up_to": None, "rate": None, "min_amount": 0.2, "max_amount": 0.2}],
}


def _num(value: Any) -> Decimal:
    if not is_number(value):
        raise RuleValueError("金额、上限和费率应为数字。")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise RuleValueError("金额、上限和费率应为数字。") from None


def rate_table(value: Any) -> None:
    """Every group present; a percentage group's brackets rise, each with a rate between 0 and 10%,
    the last open (no upper limit); a fixed group one row, 0 < least ≤ most ≤ 100 yuan."""
    if not isinstance(value, dict) or set(value) != set(GROUPS):
        raise RuleValueError("应列出在职、离退休、农民、学生下岗低保四类党员的标准。")
    for group, label in GROUP_CHOICES:
        table = value[group]
        if not isinstance(table, list) or not table or not all(isinstance(r, dict) for r in table):
            raise RuleValueError(f"{label}：至少一行。")
        if group in PERCENT_GROUPS:
            limits = []
            for i, r in enumerate(table):
                rate = _num(r.get("rate"))
                if not Decimal(0) < rate <= Decimal("0.1"):
                    raise RuleValueError(f"{label}：费率应大于0且不超过10%。")
                if r.get("up_to") is None:
                    if i != len(table) - 1:
                        raise RuleValueError(f"{label}：只有最后一档可以不设上限。")
                else:
                    limits.append(_num(r["up_to"]))
            if table[-1].get("up_to") is not None:
                raise RuleValueError(f"{label}：最后一档应不设上限（以上）。")
            if any(b <= a for a, b in zip(limits, limits[1:], strict=False)) or any(x <= 0 for x in limits):
                raise RuleValueError(f"{label}：各档上限应为正数并从低到高排列。")
        else:
            if len(table) != 1:
                raise RuleValueError(f"{label}：只填一行（每月最少、最多金额）。")
            least, most = _num(table[0].get("min_amount")), _num(table[0].get("max_amount"))
            if not Decimal(0) < least <= most <= Decimal(100):
                raise RuleValueError(f"{label}：每月金额应大于0，最少不大于最多，且不超过100元。")


RULES = (
    Rule(
        "dues.rates",
        DEFAULT_RATES,
        "党费交纳标准（按月；所在档次的比例适用于全部基数，不累进）",
        f"{SOURCE_2008} 第三条至第五条",
        validate=rate_table,
        shape=rows(
            RuleField("group", "党员类别", type="choice", choices=GROUP_CHOICES),
            RuleField("up_to", "月收入不超过（含）", type="number", unit="元", optional=True),
            RuleField("rate", "交纳比例", type="percent", optional=True),
            RuleField("min_amount", "每月最少", type="number", unit="元", optional=True),
            RuleField("max_amount", "每月最多", type="number", unit="元", optional=True),
            grouped_by="group",
        ),
    ),
    Rule(
        "dues.arrears_months",
        3,
        "欠交党费满几个月列入欠交提醒",
        "地方做法：党支部对欠交党员及时提醒、批评教育（中组发〔2008〕3号 第七条“限期改正”），月数由县里确定",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "dues.lapse_months",
        6,
        "连续几个月不交纳党费提请党支部注意（自行脱党情形之一）",
        "中国共产党章程 第九条：没有正当理由，连续六个月不交纳党费，是自行脱党；只提示，不自动处理",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "dues.prepay_months",
        12,
        "预交党费最多预交到本月之后几个月",
        f"{SOURCE_2008}：经党支部同意可以预交；月数为地方做法",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
)
