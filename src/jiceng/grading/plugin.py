"""What the grading app brings: yearly grading of party organisations, the bottom quota and the
rectification plans of the lagging ones."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.roles import Perm

from .rules import RULES

GRADE = "grade"  # propose, confirm and override branch grades; rectification plans

PLUGIN = kit.AppPlugin(
    label="grading",
    permissions=(
        kit.Permission(
            GRADE,
            _("grade party organisations and run their rectification plans"),
            roles=("county_admin", "township_admin"),
        ),
    ),
    rules=RULES,
    audit_actions={
        "confirm": _("confirmed"),
        "override": _("overrode the proposal"),
        "close": _("closed (track to closure)"),
    },
    panels=(kit.Panel("grading.grade_distribution", "pie", order=60),),
    nav=(kit.NavItem(_("Branch grading"), "grading_rounds", Perm.VIEW_ORG, order=70),),
    urls=(kit.Urls("grading/", "jiceng.grading.urls"),),
    api="jiceng.grading.api.router",
    indicators="jiceng.grading.indicators",
    ledgers="jiceng.grading.ledgers",
    workflows="jiceng.grading.workflows",
    authz="jiceng.grading.authz",
)
