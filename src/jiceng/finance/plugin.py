"""What the finance app brings: village finances (三资) — the books of each village's collective
economic organisation on the national chart of accounts, vouchers that balance and never change
once their month is closed, assets and contracts with their rent dues, the democratic finance
panel's signatures and the monthly close published to the finance disclosure, hand-over reports,
and the collective-economy figures."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.roles import Perm

from .rules import RULES

KEEP_BOOKS = "keep_books"  # post vouchers, keep the asset and contract registers, close a month
SIGN_FINANCE = "sign_finance"  # sign a month's accounts as a panel member (or record a paper signature)
VIEW_FINANCE = "view_finance"  # read a village's books, registers, closes and hand-overs
OVERSEE_FINANCE = "oversee_finance"  # the township's oversight: who keeps the books, panel seats, hand-overs

PLUGIN = kit.AppPlugin(
    label="finance",
    permissions=(
        kit.Permission(
            KEEP_BOOKS,
            _("keep a village's books"),
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
        kit.Permission(SIGN_FINANCE, _("sign a month's accounts"), roles=("county_admin", "township_admin")),
        kit.Permission(
            VIEW_FINANCE,
            _("read a village's books"),
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
        kit.Permission(
            OVERSEE_FINANCE, _("oversee village finances"), roles=("county_admin", "township_admin")
        ),
    ),
    roles=(
        kit.RoleDef(
            "village_accountant",
            _("village accountant"),
            perms=(Perm.VIEW_ORG, KEEP_BOOKS, VIEW_FINANCE, "publish_disclosure"),
            order=60,
        ),
        kit.RoleDef(
            "finance_panel_member",
            _("finance panel member"),
            perms=(Perm.VIEW_ORG, SIGN_FINANCE, VIEW_FINANCE),
            order=61,
        ),
    ),
    rules=RULES,
    audit_actions={
        "finance_books_open": _("opened a village's books"),
        "finance_books_keeper": _("changed who keeps a village's books"),
        "finance_account_add": _("added a sub-account"),
        "finance_voucher_post": _("posted a voucher"),
        "finance_voucher_reverse": _("reversed a voucher"),
        "finance_asset_add": _("registered an asset or resource"),
        "finance_contract_add": _("registered a contract"),
        "finance_kinship_declare": _("declared a close relation"),
        "finance_panel_seat": _("seated a finance panel member"),
        "finance_panel_end": _("ended a finance panel seat"),
        "finance_sign": _("signed a month's accounts"),
        "finance_month_close": _("closed a month"),
        "finance_handover_generate": _("generated a hand-over report"),
        "finance_handover_confirm": _("confirmed a hand-over report"),
    },
    audit_fields={
        "keeper": _("books kept by"),
        "voucher_number": _("voucher number"),
        "amount": _("amount (fen)"),
        "matter": _("decided matter"),
        "month": _("month"),
        "opinion": _("opinion"),
        "counterparty": _("counterparty"),
        "side": _("side"),
        "relation": _("relation"),
    },
    nav=(
        kit.NavItem(
            _("Village finances"),
            "finance_home",
            VIEW_FINANCE,
            order=58,
            roles=(
                "county_admin",
                "township_admin",
                "branch_secretary",
                "village_accountant",
                "finance_panel_member",
            ),
        ),
    ),
    home=(
        kit.HomeSection(
            "finance",
            ("branch_secretary",),
            "jiceng.finance.home.secretary",
            "finance/home_secretary.html",
            order=27,
        ),
        kit.HomeSection(
            "finance_township",
            ("township_admin",),
            "jiceng.finance.home.township",
            "finance/home_township.html",
            order=27,
        ),
    ),
    urls=(kit.Urls("finance/", "jiceng.finance.urls"),),
    public=(kit.Urls("finance/", "jiceng.finance.public"),),
    api="jiceng.finance.api.router",
    indicators="jiceng.finance.indicators",
    ledgers="jiceng.finance.ledgers",
    demo=(kit.Step("jiceng.finance.demo.build", order=95),),
    gen=(kit.Step("jiceng.finance.gen.build", order=88),),
    authz="jiceng.finance.authz",
)
