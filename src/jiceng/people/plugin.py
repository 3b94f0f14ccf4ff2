"""What the people app brings: persons, households, party members and 两委 seats."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.roles import Perm

from .rules import RULES

CHANGE_MEMBER = "change_member"  # create and edit people, members, households, 两委 posts

FIELD_LABELS = {
    "name": _("Name"),
    "gender": _("Gender"),
    "ethnicity": _("Ethnicity"),
    "birth_date": _("Birth date"),
    "education": _("Education"),
    "id_number": _("ID number"),
    "phone": _("Phone"),
    "area": _("Residence"),
    "org": _("Organisation"),
    "status": _("Status"),
    "joined_on": _("Admitted on"),
    "full_on": _("Full member since"),
    "mobility": _("Mobility"),
    "mobility_note": _("Where and how to contact"),
    "pledge": _("My pledge"),
    "service_list": _("My list of services to the people"),
    "own": _("their own record"),
    "moved_on": _("Moved on"),
    "left_on": _("Left on"),
    "left_reason": _("Reason for leaving"),
    "note": _("Note"),
}

PLUGIN = kit.AppPlugin(
    label="people",
    permissions=(
        kit.Permission(
            CHANGE_MEMBER,
            _("create and edit people, members, households and 两委 seats"),
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
    ),
    rules=RULES,
    audit_actions={"move": _("moved the relation"), "leave": _("left the rolls")},
    audit_fields=FIELD_LABELS,
    panels=(
        kit.Panel("people.org_count", "bar", order=10),
        kit.Panel("people.member_count", "pie", order=20, compare=True),
        kit.Panel("people.age_bands", "bar", order=30),
        kit.Panel("people.education_bands", "pie", order=40),
        kit.Panel("people.village_count", "pie", order=50),
    ),
    headlines=tuple(
        kit.Headline(name, order=10 + i, compare=name == "people.dual_role_rate")
        for i, name in enumerate(
            (
                "people.dual_role_count",
                "people.dual_role_rate",
                "people.cadre_count",
                "people.cross_appointment_count",
                "people.cross_appointment_rate",
            )
        )
    ),
    home=(
        kit.HomeSection(
            "me", ("member",), "jiceng.people.home.member_card", "people/home_member.html", order=50
        ),
        kit.HomeSection(
            "grid", ("grid_worker",), "jiceng.people.home.grid", "people/home_grid.html", order=40
        ),
    ),
    nav=(
        kit.NavItem(_("Members"), "member_list", Perm.VIEW_MEMBER, order=40),
        kit.NavItem(_("Village committees"), "village_list", Perm.VIEW_MEMBER, order=50),
    ),
    urls=(kit.Urls("", "jiceng.people.urls"),),
    api="jiceng.people.api.router",
    indicators="jiceng.people.indicators",
    ledgers="jiceng.people.ledgers",
    jobs="jiceng.people.jobs",
    demo=(kit.Step("jiceng.people.demo.build", order=20),),
    gen=(kit.Step("jiceng.people.gen.build", order=20),),
    authz="jiceng.people.authz",
)
