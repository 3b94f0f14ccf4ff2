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
        "reopen": _("reopened"),
    },
    audit_fields={"reopened_grades": _("confirmed grades awaiting re-confirmation")},
    panels=(kit.Panel("grading.grade_distribution", "pie", order=60),),
    nav=(
        kit.NavItem(
            _("Branch grading"),
            "grading_rounds",
            Perm.VIEW_ORG,
            order=70,
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
    ),
    home=(
        kit.HomeSection(
            "rectification",
            ("branch_secretary", "township_admin"),
            "jiceng.grading.home.rectification",
            "grading/home_rectification.html",
            order=30,
        ),
    ),
    urls=(kit.Urls("grading/", "jiceng.grading.urls"),),
    api="jiceng.grading.api.router",
    indicators="jiceng.grading.indicators",
    ledgers="jiceng.grading.ledgers",
    workflows="jiceng.grading.workflows",
    demo=(kit.Step("jiceng.grading.demo.build", order=40),),
    authz="jiceng.grading.authz",
    # a confirmed grade locks its year's organisational life until the round is reopened
    period_locks="jiceng.grading.queries.period_lock",
)
