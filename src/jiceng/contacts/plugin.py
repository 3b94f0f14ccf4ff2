"""What the contacts app brings: members' and cadres' contact duties (联系户, 分包小区楼栋) in
quotas per role, their visits (the grids app's visit record) and the flags for the secretary."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit
from jiceng.core.roles import Perm

from .rules import RULES

MANAGE_CONTACTS = "manage_contacts"  # assign members and cadres to households, estates, buildings

PLUGIN = kit.AppPlugin(
    label="contacts",
    permissions=(
        kit.Permission(
            MANAGE_CONTACTS,
            _("assign contact duties"),
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
    ),
    rules=RULES,
    audit_actions={"contact_assign": _("assigned a contact duty"), "contact_end": _("ended a contact duty")},
    audit_fields={"contact_role": _("role"), "contact_target": _("contacts"), "until": _("until")},
    nav=(
        kit.NavItem(
            _("Contact duties"),
            "contacts_list",
            Perm.VIEW_MEMBER,
            order=56,
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
        kit.NavItem(_("My households"), "contacts_mine", Perm.VIEW_ORG, order=57, roles=("member",)),
    ),
    home=(
        kit.HomeSection(
            "contacts",
            ("branch_secretary",),
            "jiceng.contacts.home.secretary",
            "contacts/home_secretary.html",
            order=26,
        ),
        kit.HomeSection(
            "my_contacts", ("member",), "jiceng.contacts.home.member", "contacts/home_member.html", order=61
        ),
    ),
    urls=(kit.Urls("contacts/", "jiceng.contacts.urls"),),
    indicators="jiceng.contacts.indicators",
    demo=(kit.Step("jiceng.contacts.demo.build", order=46),),
    # before the grids step (40), which moves the households into grids
    gen=(kit.Step("jiceng.contacts.gen.build", order=25),),
    authz="jiceng.contacts.authz",
)
