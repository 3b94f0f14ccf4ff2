"""The default chart of accounts: the 村集体经济组织会计制度 (财政部 财会〔2004〕12号), its 33 first-level
accounts with their codes. The 2023 制度 (财会〔2023〕14号, in force 2024-01-01) renumbers the chart; its
codes could not be confirmed here, so the 2004 codes ship (docs/finance.md). A county adds
sub-accounts (code = the parent's code and two or more digits)."""

from __future__ import annotations

# (code, name, category, normal balance, subsidy income)
DEFAULT: tuple[tuple[str, str, str, str, bool], ...] = (
    ("101", "库存现金", "asset", "debit", False),
    ("102", "银行存款", "asset", "debit", False),
    ("111", "短期投资", "asset", "debit", False),
    ("112", "应收款", "asset", "debit", False),
    ("113", "内部往来", "asset", "debit", False),
    ("121", "库存物资", "asset", "debit", False),
    ("131", "牲畜(禽)资产", "asset", "debit", False),
    ("132", "林木资产", "asset", "debit", False),
    ("141", "长期投资", "asset", "debit", False),
    ("151", "固定资产", "asset", "debit", False),
    ("152", "累计折旧", "asset", "credit", False),
    ("153", "固定资产清理", "asset", "debit", False),
    ("154", "在建工程", "asset", "debit", False),
    ("201", "短期借款", "liability", "credit", False),
    ("202", "应付款", "liability", "credit", False),
    ("211", "应付工资", "liability", "credit", False),
    ("212", "应付福利费", "liability", "credit", False),
    ("221", "长期借款及应付款", "liability", "credit", False),
    ("231", "一事一议资金", "liability", "credit", False),
    ("301", "资本", "equity", "credit", False),
    ("311", "公积公益金", "equity", "credit", False),
    ("321", "本年收益", "equity", "credit", False),
    ("322", "收益分配", "equity", "debit", False),
    ("401", "生产(劳务)成本", "cost", "debit", False),
    ("501", "经营收入", "pnl", "credit", False),
    ("502", "经营支出", "pnl", "debit", False),
    ("511", "发包及上交收入", "pnl", "credit", False),
    ("521", "补助收入", "pnl", "credit", True),
    ("522", "其他收入", "pnl", "credit", False),
    ("531", "投资收益", "pnl", "credit", False),
    ("541", "管理费用", "pnl", "debit", False),
    ("551", "其他支出", "pnl", "debit", False),
)

CASH_CODES = ("101", "102")  # 库存现金、银行存款: what an expense pays out of
FUND_CODES = ("101", "102", "111")  # the funds of 三无村 (no funds): cash, bank, short-term investments
RECEIVABLE_PAYABLE_CODES = ("112", "113", "202")  # 应收款、内部往来、应付款 (the hand-over's debts)
# an expense debits one of these (with cash or bank credited)
EXPENSE_CATEGORIES = ("asset", "liability", "cost", "pnl")
