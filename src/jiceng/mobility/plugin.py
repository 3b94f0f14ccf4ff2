"""What the mobility app brings: mobile members (流动党员: out-flow, in-flow, check-ins, 失联), relation
transfers (组织关系转接, inside the system and out of it, 口袋党员), 党章第九条's three signs, each
branch's type and online-branch attribute (003), and the four ledgers of migrant-worker party
building (003: 四本台账)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit

from .rules import RULES

VIEW_MOBILITY = "view_mobility"  # see mobile members, transfers, signs and the migrant ledgers
MANAGE_MOBILITY = "manage_mobility"  # record out-flow, in-flow, check-ins, signs, branch profiles, ledgers
TRANSFER_RELATION = "transfer_relation"  # issue, confirm and cancel relation transfers

ROLES = ("county_admin", "township_admin", "branch_secretary")

FIGURES = (
    "mobility.outflow_members",
    "mobility.inflow_members",
    "mobility.lost_contact",
    "mobility.pocket_members",
    "mobility.overdue_checkins",
)
# Not on the dashboard: the committee home page is at its query cap (tests/test_query_counts.py:
# each headline costs two queries); the mobility page shows all five per child unit. To add:
# HEADLINES = ("mobility.lost_contact", "mobility.pocket_members")
HEADLINES: tuple[str, ...] = ()

PLUGIN = kit.AppPlugin(
    label="mobility",
    permissions=(
        kit.Permission(
            VIEW_MOBILITY, _("see mobile members, relation transfers and migrant ledgers"), roles=ROLES
        ),
        kit.Permission(
            MANAGE_MOBILITY, _("record mobile members, their check-ins and migrant ledgers"), roles=ROLES
        ),
        kit.Permission(TRANSFER_RELATION, _("issue and confirm relation transfers"), roles=ROLES),
    ),
    rules=RULES,
    audit_actions={
        "checkin": _("recorded a check-in"),
        "transfer_issue": _("issued a transfer letter"),
        "transfer_confirm": _("confirmed a relation transfer"),
        "transfer_cancel": _("cancelled a relation transfer"),
        "outflow_end": _("recorded the return"),
    },
    audit_fields={
        "destination": _("where to"),
        "employer": _("employer"),
        "keep_in_touch": _("kept in touch by"),
        "card_number": _("mobile member card number"),
        "fixed_place": _("at a fixed place"),
        "since": _("since"),
        "ended_on": _("ended on"),
        "home_org": _("relation kept at"),
        "letter_number": _("letter number"),
        "valid_until": _("valid until"),
        "dues_paid_to": _("dues paid up to"),
        "to_org": _("receiving organisation"),
        "branch_type": _("branch type"),
        "online": _("online branch"),
        "activist": _("activist"),
        "attendance": _("attendance"),
        "reason": _("reason"),
    },
    headlines=tuple(kit.Headline(name, order=90 + i) for i, name in enumerate(HEADLINES)),
    nav=(kit.NavItem(_("Mobile members"), "mobility_home", VIEW_MOBILITY, order=45, roles=ROLES),),
    home=(
        kit.HomeSection(
            "mobility.secretary",
            ("branch_secretary",),
            "jiceng.mobility.home.secretary",
            "mobility/home_secretary.html",
            order=45,
        ),
    ),
    urls=(kit.Urls("mobility/", "jiceng.mobility.urls"),),
    indicators="jiceng.mobility.indicators",
    ledgers="jiceng.mobility.ledgers",
    demo=(kit.Step("jiceng.mobility.demo.build", order=70),),
    gen=(kit.Step("jiceng.mobility.gen.build", order=70),),
    authz="jiceng.mobility.authz",
)
