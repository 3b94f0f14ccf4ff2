"""The village-finance rules of the default pack: who keeps the books, the large-expense threshold,
the panel's size and the signatures a close needs, when a month must be closed, the contract
warnings, and the collective-economy thresholds of 004-P6 and 004-P9."""

from __future__ import annotations

from jiceng.core.kit import Rule, RuleValueError, scalar
from jiceng.core.rulepacks import fraction, one_of, positive_int

KEEPERS = (("village", "村自主记账"), ("township", "村账乡代管（双代管）"))


def _fen(value) -> None:
    """An amount in fen: non_negative_int stops at 1,000,000 (1 万元), below these thresholds."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10**12:
        raise RuleValueError("应为非负整数（分）。")


RULES = (
    Rule(
        "finance.default_keeper",
        "village",
        "新建账套默认由谁记账（village 村自主记账 / township 村账乡代管）",
        "000-R2：“双代管执行不好”；村账乡代管为通行做法（地方做法）",
        local=True,
        validate=one_of([k for k, _ in KEEPERS], "应为 village 或 township。"),
        shape=scalar("choice", choices=KEEPERS),
    ),
    Rule(
        "finance.large_expense_fen",
        500_000,
        "大额支出标准（分）：超过此数的支出须引用本村已决议的重大事项",
        "四议两公开：重大开支须经村民（代表）会议决议；金额标准各地自定，5000元为常见数额（地方做法，未经确认）",
        local=True,
        validate=_fen,
        shape=scalar("int", unit="分"),
    ),
    Rule(
        "finance.panel_min",
        3,
        "民主理财小组最少人数",
        "村民委员会组织法 第三十二条（村务监督委员会负责民主理财）；人数各地自定，通常3至5人（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="人"),
    ),
    Rule(
        "finance.close_share",
        0.5,
        "月结须经民主理财小组签字的比例：签字同意的成员须超过在任成员的此比例",
        "民主理财：理财小组过半数成员审核签字（地方做法）",
        local=True,
        validate=fraction,
        shape=scalar("percent"),
    ),
    Rule(
        "finance.close_by_day",
        10,
        "每月几日前须完成上月月结并公开（逾期即提示）",
        "004-P3：每月10日前将财务等进行公开（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="日"),
    ),
    Rule(
        "finance.contract_warn_days",
        60,
        "合同到期前多少天提示",
        "三资管理通行做法：合同到期前提前处置（地方做法）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="天"),
    ),
    Rule(
        "finance.min_income_fen",
        3_000_000,
        "村集体经营收入年度底线（分）：低于此数的村提示",
        "004-P6：嘎查村集体经济均达到3万元以上（地方做法）",
        local=True,
        validate=_fen,
        shape=scalar("int", unit="分"),
    ),
    Rule(
        "finance.award_min_income_fen",
        5_000_000,
        "参评表彰的村集体经营收入下限（分）：未达到的村取消评比表彰资格",
        "004-P9：集体经济未达到5万元的村取消各种评比表彰的参评资格（地方做法）",
        local=True,
        validate=_fen,
        shape=scalar("int", unit="分"),
    ),
)
