"""What the organisational-life app brings: 三会一课 and the other meetings, attendance, the monthly
key-content lists and the figures computed from them."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.roles import Perm

from .rules import RULES

RECORD_MEETING = "record_meeting"  # record organisational life (三会一课) and attendance
PUBLISH_TOPICS = "publish_topics"  # publish the monthly key-content list to the subtree

# organisational life's own figures: on the dashboard and on the organisational-life overview
HEADLINES = (
    "orglife.participation_rate",
    "orglife.education_coverage",
    "orglife.compliance_rate",
    "orglife.silent_branches",
    "orglife.often_absent",
)

PLUGIN = kit.AppPlugin(
    label="orglife",
    permissions=(
        kit.Permission(
            RECORD_MEETING,
            _("record organisational life and attendance"),
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
        kit.Permission(
            PUBLISH_TOPICS,
            _("publish the monthly key-content list to the subtree"),
            roles=("county_admin", "township_admin"),
        ),
    ),
    rules=RULES,
    audit_actions={"publish": _("published"), "correct": _("corrected"), "withdraw": _("withdrew")},
    audit_fields={
        "attendance": _("attendance"),
        "attachments": _("attachments"),
        "items": _("items"),
        "attendance_changes": _("attendance changes"),
        "correction_reason": _("reason for correction"),
    },
    headlines=tuple(
        kit.Headline(name, order=20 + i, compare=name != "orglife.education_coverage")
        for i, name in enumerate(HEADLINES)
    ),
    nav=(kit.NavItem(_("Organisational life"), "orglife_overview", Perm.VIEW_ORG, order=60),),
    home=(
        kit.HomeSection(
            "orglife",
            ("branch_secretary",),
            "jiceng.orglife.home.secretary",
            "orglife/home_secretary.html",
            order=20,
        ),
        kit.HomeSection(
            "my_orglife", ("member",), "jiceng.orglife.home.member", "orglife/home_member.html", order=60
        ),
    ),
    urls=(kit.Urls("orglife/", "jiceng.orglife.urls"),),
    public=(kit.Urls("", "jiceng.orglife.public"),),
    api="jiceng.orglife.api.router",
    indicators="jiceng.orglife.indicators",
    ledgers="jiceng.orglife.ledgers",
    demo=(kit.Step("jiceng.orglife.demo.build", order=30),),
    gen=(kit.Step("jiceng.orglife.gen.build", order=30),),
    authz="jiceng.orglife.authz",
)
