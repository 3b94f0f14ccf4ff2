from jiceng.core.ledgers import Ledger, Sheet, register
from jiceng.core.scoping import orgs_for


def _rows(req):
    for org in orgs_for(req.actor).order_by("path")[:50]:
        yield org.name, 2


register(
    Ledger(
        key="plugin_app.wells",
        title="水井台账",
        description="插件示例台账",
        period=False,
        sheets=(Sheet("水井台账", ("党组织", "水井数"), _rows),),
        order=99,
    )
)
