"""What the dues app brings: party dues (党费) — each member's declared base and monthly amount by
the 2008 rate table, payments recorded by the branch with receipts, arrears and six months unpaid
flagged for the branch's attention, collection ledgers and figures, and a member's own statement."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.roles import Perm

from .rules import RULES

MANAGE_DUES = "manage_dues"  # declare members' bases, record and void payments
VIEW_DUES = "view_dues"  # see members' dues, payments, arrears and the collection figures

DUES_ROLES = ("county_admin", "township_admin", "branch_secretary", "dues_collector")

PLUGIN = kit.AppPlugin(
    label="dues",
    roles=(
        # the branch committee member who collects dues (组织委员 or 党费收缴员), granted on the branch
        kit.RoleDef(
            "dues_collector",
            _("dues collector (branch committee)"),
            (Perm.VIEW_ORG, Perm.VIEW_MEMBER),
            order=46,
        ),
    ),
    permissions=(
        kit.Permission(MANAGE_DUES, _("declare dues bases and record dues payments"), roles=DUES_ROLES),
        kit.Permission(VIEW_DUES, _("see party dues, payments and arrears"), roles=DUES_ROLES),
    ),
    rules=RULES,
    audit_actions={
        "dues_declare": _("declared a dues base"),
        "dues_pay": _("recorded a dues payment"),
        "dues_void": _("voided a dues payment"),
    },
    audit_fields={
        "dues_group": _("dues group"),
        "dues_base": _("dues base"),
        "dues_rate": _("dues rate"),
        "dues_amount": _("dues amount"),
        "dues_method": _("payment method"),
        "from_month": _("from month"),
        "to_month": _("to month"),
        "receipt_no": _("receipt number"),
        "reference": _("transfer reference"),
        "paid_on": _("paid on"),
        "void_reason": _("reason for voiding"),
    },
    nav=(
        kit.NavItem(_("Party dues"), "dues_overview", VIEW_DUES, order=62, roles=DUES_ROLES),
        kit.NavItem(_("My dues"), "dues_mine", Perm.VIEW_ORG, order=62, roles=("member",)),
    ),
    home=(
        kit.HomeSection(
            "dues",
            ("branch_secretary", "dues_collector"),
            "jiceng.dues.home.branch",
            "dues/home_branch.html",
            order=25,
        ),
        kit.HomeSection("my_dues", ("member",), "jiceng.dues.home.member", "dues/home_member.html", order=61),
    ),
    urls=(kit.Urls("dues/", "jiceng.dues.urls"),),
    indicators="jiceng.dues.indicators",
    ledgers="jiceng.dues.ledgers",
    demo=(kit.Step("jiceng.dues.demo.build", order=60),),
    gen=(kit.Step("jiceng.dues.gen.build", order=60),),
    authz="jiceng.dues.authz",
)
