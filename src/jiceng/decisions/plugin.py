"""What the decisions app brings: village decisions (村级重大事项决策) through 四议两公开, 五步决策法,
一征三议两公开 and the community variant, each stage's meeting checked against the law's
quorums and majorities; the village bodies' rosters, the quorum base, the public trail."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit

from .rules import RULES

PROPOSE = "propose_matter"  # register a village's matter
RECORD = "record_decision"  # record a stage's meeting, the rosters, the population figure
REVIEW = "review_matter"  # the township (sub-district) committee's review (五步决策法)

ROLES_RECORD = ("county_admin", "township_admin", "branch_secretary")

PLUGIN = kit.AppPlugin(
    label="decisions",
    permissions=(
        kit.Permission(PROPOSE, _("register a village matter for decision"), roles=ROLES_RECORD),
        kit.Permission(RECORD, _("record a village decision stage"), roles=ROLES_RECORD),
        kit.Permission(
            REVIEW, _("review a village matter for the township"), roles=("county_admin", "township_admin")
        ),
    ),
    rules=RULES,
    audit_actions={
        "decisions_matter": _("registered a village matter"),
        "decisions_stage": _("recorded a village decision stage"),
        "decisions_seat": _("changed a village body's roster"),
        "decisions_population": _("entered a registered-population figure"),
        "decisions_demand": _("recorded a demand for a villagers' assembly"),
    },
    audit_fields={
        "title": _("title"),
        "kind": _("matter type"),
        "procedure": _("procedure"),
        "amount_fen": _("amount (fen)"),
        "stage": _("stage"),
        "held_on": _("date"),
        "entitled": _("entitled"),
        "attended": _("attended"),
        "votes_for": _("for"),
        "votes_against": _("against"),
        "votes_abstain": _("abstaining"),
        "passed": _("passed"),
        "reason": _("reason"),
        "body": _("body"),
        "person": _("person"),
        "since": _("since"),
        "until": _("until"),
        "adults": _("adult villagers"),
        "households": _("households"),
        "as_of": _("as of"),
        "source": _("source"),
        "signatures": _("signatures"),
        "valid": _("reaches the threshold"),
    },
    nav=(kit.NavItem(_("Village decisions"), "decisions_list", RECORD, order=60, roles=ROLES_RECORD),),
    home=(
        kit.HomeSection(
            "decisions",
            ("branch_secretary",),
            "jiceng.decisions.home.secretary",
            "decisions/home_secretary.html",
            order=30,
        ),
        kit.HomeSection(
            "decisions_township",
            ("township_admin",),
            "jiceng.decisions.home.township",
            "decisions/home_township.html",
            order=30,
        ),
    ),
    urls=(kit.Urls("decisions/", "jiceng.decisions.urls"),),
    public=(kit.Urls("", "jiceng.decisions.public"),),
    workflows="jiceng.decisions.workflows",
    api="jiceng.decisions.api.router",
    indicators="jiceng.decisions.indicators",
    ledgers="jiceng.decisions.ledgers",
    authz="jiceng.decisions.authz",
    demo=(kit.Step("jiceng.decisions.demo.build", order=75),),
    gen=(kit.Step("jiceng.decisions.gen.build", order=75),),
)
