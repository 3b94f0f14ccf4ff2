"""What the reports app brings: the dashboard and the two trees, every figure read from the
indicator registry."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.roles import Perm

PLUGIN = kit.AppPlugin(
    label="reports",
    nav=(
        kit.NavItem(_("Dashboard"), "dashboard", Perm.VIEW_ORG, order=10),
        kit.NavItem(_("Organisations"), "org_tree", Perm.VIEW_ORG, order=20),
        kit.NavItem(_("Areas"), "area_tree", Perm.VIEW_ORG, order=30),
    ),
    urls=(kit.Urls("", "jiceng.reports.urls"),),
    authz="jiceng.reports.authz",
)
