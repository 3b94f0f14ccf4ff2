"""The decision register (决策台账, core.ledgers): one row per stage of each matter the exporting
user may see, below the chosen organisation — the stage, its date, entitled and attending counts,
the votes and the rule's result. No attendee's name: the register is not personal."""

from __future__ import annotations

from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register

from . import selectors


def _span(req: LedgerRequest) -> dict:
    return {"start": req.period.start, "end": req.period.as_of} if req.period is not None else {}


def _rows(req: LedgerRequest):
    return selectors.register_rows(actor=req.actor, org=req.org, **_span(req))


def _count(req: LedgerRequest) -> int:
    return selectors.register_count(actor=req.actor, org=req.org, **_span(req)) * 6


register(
    Ledger(
        "decisions.register",
        "村级重大事项决策台账",
        "每个事项的各决策环节：日期、应到与实到人数、赞成反对弃权票数、规则核验结果（统计期内登记的事项）",
        sheets=(Sheet("决策台账", selectors.REGISTER_HEADERS, _rows),),
        count=_count,
    )
)
