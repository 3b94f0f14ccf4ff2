"""What the reports app brings: the dashboard and the two trees, every figure read from the
indicator registry."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.models import Role
from jiceng.core.roles import Perm

# who works with the statistics and the trees (a member's and a grid worker's menu stays short)
CADRES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_ADMIN, Role.BRANCH_SECRETARY)

PLUGIN = kit.AppPlugin(
    label="reports",
    nav=(
        kit.NavItem(_("Home"), "home", Perm.VIEW_ORG, order=5),
        kit.NavItem(_("Statistics"), "dashboard", Perm.VIEW_ORG, order=10, roles=CADRES),
        kit.NavItem(_("Organisations"), "org_tree", Perm.VIEW_ORG, order=20, roles=CADRES),
        kit.NavItem(_("Areas"), "area_tree", Perm.VIEW_ORG, order=30, roles=(*CADRES, Role.GRID_WORKER)),
    ),
    home=(
        kit.HomeSection(
            "board",
            (Role.COUNTY_ADMIN, Role.TOWNSHIP_ADMIN),
            "jiceng.reports.home.board",
            "reports/home_board.html",
            order=10,
        ),
    ),
    urls=(kit.Urls("", "jiceng.reports.urls"),),
    authz="jiceng.reports.authz",
)
