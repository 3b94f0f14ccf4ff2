"""The four ledgers of migrant-worker party building (003: 四本台账, at county, township and village
level — the subtree chosen on the ledger page): migrant workers, host enterprises, migrant activists
and migrant party members. Kept current by the pages (登记备案、动态管理); each export is logged."""

from __future__ import annotations

from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register
from jiceng.core.roles import Perm

from . import selectors


def _workers(req: LedgerRequest):
    return selectors.worker_rows(actor=req.actor, org=req.org)


def _activists(req: LedgerRequest):
    return selectors.worker_rows(actor=req.actor, org=req.org, activists=True)


def _members(req: LedgerRequest):
    return selectors.migrant_member_rows(actor=req.actor, org=req.org)


register(
    Ledger(
        key="mobility.workers",
        title="农民工台账",
        description="本县（乡镇、村）外出务工农民工登记：务工地、企业、行业、联系方式、外出和返乡时间（003 四本台账之一）。",
        sheets=(Sheet("农民工台账", selectors.WORKER_HEADERS, _workers),),
        personal=True,
        period=False,
        count=lambda req: selectors.workers_for(
            actor=req.actor, org=req.org, perm=Perm.EXPORT_PERSONAL
        ).count(),
        target_type="mobility.migrantworker",
        order=70,
    )
)
register(
    Ledger(
        key="mobility.enterprises",
        title="农民工集聚地企业台账",
        description="农民工集中务工的企业及其统一社会信用代码、党建联络员、是否建立党组织（003 四本台账之二）。",
        sheets=(
            Sheet(
                "农民工集聚地企业台账",
                selectors.ENTERPRISE_HEADERS,
                lambda req: selectors.enterprise_rows(actor=req.actor, org=req.org),
            ),
        ),
        period=False,
        count=lambda req: selectors.enterprises_for(actor=req.actor, org=req.org).count(),
        target_type="mobility.hostenterprise",
        order=71,
    )
)
register(
    Ledger(
        key="mobility.activists",
        title="农民工入党积极分子台账",
        description="外出务工农民工中的入党积极分子（003 四本台账之三）。",
        sheets=(Sheet("农民工入党积极分子台账", selectors.ACTIVIST_HEADERS, _activists),),
        personal=True,
        period=False,
        count=lambda req: selectors.workers_for(
            actor=req.actor, org=req.org, perm=Perm.EXPORT_PERSONAL, activists=True
        ).count(),
        target_type="mobility.migrantworker",
        order=72,
    )
)
register(
    Ledger(
        key="mobility.members",
        title="农民工党员（流动党员）台账",
        description="外出流动党员：去向、单位、联系方式、流动党员证号、最近联系及逾期、失联、应转接提示（003 四本台账之四）。",
        sheets=(Sheet("农民工党员台账", selectors.MEMBER_HEADERS, _members),),
        personal=True,
        period=False,
        target_type="mobility.outflow",
        order=73,
    )
)
