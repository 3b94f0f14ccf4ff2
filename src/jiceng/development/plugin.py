"""What the development app brings: member development (发展党员) in the 25 steps of the national
细则, its board per branch, stage counts per township and county, annual plans and figures."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.roles import Perm

from .rules import RULES

DEVELOP = "develop_members"  # record the branch's steps of member development
APPROVE = "approve_development"  # the higher committee's steps: filing, pre-check, talk, approval
EXCEPTION = "development_exception"  # record a step against a time rule, with a reason

PLUGIN = kit.AppPlugin(
    label="development",
    permissions=(
        kit.Permission(
            DEVELOP,
            _("record member development"),
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
        kit.Permission(APPROVE, _("approve member development"), roles=("county_admin", "township_admin")),
        kit.Permission(
            EXCEPTION,
            _("record an exception to a development time rule"),
            roles=("county_admin", "township_admin"),
        ),
    ),
    rules=RULES,
    audit_actions={
        "development_apply": _("registered an application for membership"),
        "development_step": _("recorded a development step"),
        "development_plan": _("set a development plan"),
    },
    audit_fields={
        "step": _("step"),
        "on": _("date"),
        "applied_on": _("applied on"),
        "migrant_worker": _("migrant worker"),
        "activist_on": _("activist since"),
        "candidate_on": _("candidate since"),
        "admitted_on": _("branch assembly admitted on"),
        "approved_on": _("approved on"),
        "admitted_age": _("age when admitted"),
        "probation_ends_on": _("probation ends on"),
        "ended_on": _("ended on"),
        "end_reason": _("reason"),
        "guide": _("guiding members"),
        "introducer": _("introducers"),
        "members": _("members to develop"),
        "activists": _("activists to train"),
        "migrant_members": _("of them migrant workers"),
    },
    # no dashboard headline yet: the committee home page is at its query cap (tests/test_query_counts.py);
    # the figures are on /figures/ and the township's board shows the stage counts per village
    nav=(
        kit.NavItem(
            _("Member development"),
            "development_board",
            Perm.VIEW_MEMBER,
            order=55,
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
    ),
    home=(
        kit.HomeSection(
            "development",
            ("branch_secretary",),  # a township reads the stage counts on the board (/development/)
            "jiceng.development.home.secretary",
            "development/home_secretary.html",
            order=25,
        ),
    ),
    urls=(kit.Urls("development/", "jiceng.development.urls"),),
    api="jiceng.development.api.router",
    indicators="jiceng.development.indicators",
    ledgers="jiceng.development.ledgers",
    workflows="jiceng.development.workflows",
    demo=(kit.Step("jiceng.development.demo.build", order=35),),
    gen=(kit.Step("jiceng.development.gen.build", order=35),),
    authz="jiceng.development.authz",
)
