"""What the disclosure app brings: the four affairs a village or community publishes (四务公开:
党务、村务、财务、服务) on its public page, the deadlines of the rule pack, the township's list of
who has not published on time and the secretary's due items. The decisions and finance apps
publish into it through services.publish."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.roles import Perm

from .rules import RULES

PUBLISH_DISCLOSURE = "publish_disclosure"  # publish and withdraw disclosure items of a village

PLUGIN = kit.AppPlugin(
    label="disclosure",
    permissions=(
        kit.Permission(
            PUBLISH_DISCLOSURE,
            _("publish disclosure items"),
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
    ),
    rules=RULES,
    audit_actions={
        "disclosure_publish": _("published a disclosure item"),
        "disclosure_withdraw": _("withdrew a disclosure item"),
    },
    audit_fields={
        "disclosure_affair": _("disclosure affair"),
        "disclosure_title": _("disclosure title"),
        "disclosure_published_on": _("published on"),
        "disclosure_withdrawn": _("reason for withdrawal"),
    },
    nav=(
        kit.NavItem(
            _("Disclosure"),
            "disclosure_list",
            Perm.VIEW_ORG,
            order=58,
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
    ),
    home=(
        kit.HomeSection(
            "disclosure",
            ("branch_secretary",),
            "jiceng.disclosure.home.secretary",
            "disclosure/home_secretary.html",
            order=27,
        ),
        kit.HomeSection(
            "disclosure_township",
            ("township_admin",),
            "jiceng.disclosure.home.township",
            "disclosure/home_township.html",
            order=27,
        ),
    ),
    ledgers="jiceng.disclosure.ledgers",
    indicators="jiceng.disclosure.indicators",
    api="jiceng.disclosure.api.router",
    authz="jiceng.disclosure.authz",
    demo=(kit.Step("jiceng.disclosure.demo.build", order=85),),
    gen=(kit.Step("jiceng.disclosure.gen.build", order=85),),
    urls=(kit.Urls("disclosure/", "jiceng.disclosure.urls"),),
    public=(kit.Urls("disclosure/", "jiceng.disclosure.public"),),
)
