from jiceng.core import scoping
from jiceng.core.roles import Perm


def test_paths_are_minimal_and_subtree(world):
    county = world.users["county"]
    assert scoping.org_paths(county, Perm.VIEW_ORG) == [world.county_org.path]
    sec_a = world.users["sec_a"]
    assert scoping.can_access_org(sec_a, Perm.VIEW_MEMBER, world.group_a)
    assert not scoping.can_access_org(sec_a, Perm.VIEW_MEMBER, world.branch_b)
    assert not scoping.can_access_org(sec_a, Perm.VIEW_MEMBER, world.town_a_org)  # no reach upwards
    assert scoping.can_access_area(sec_a, Perm.VIEW_MEMBER, world.grid_a)
    assert not scoping.can_access_area(sec_a, Perm.VIEW_MEMBER, world.village_b)


def test_role_limits_permissions(world):
    grid = world.users["grid_a"]
    assert scoping.can_access_org(grid, Perm.VIEW_MEMBER, world.group_a)
    assert not scoping.can_access_org(grid, "change_member", world.group_a)
    assert not scoping.can_access_org(grid, Perm.VIEW_MEMBER, world.branch_a)
    member = world.users["member"]
    assert scoping.can_access_org(member, Perm.VIEW_ORG, world.branch_a)
    assert not scoping.has_perm_anywhere(member, Perm.VIEW_MEMBER)
    assert scoping.org_paths(world.users["nobody"], Perm.VIEW_ORG) == []
    assert not scoping.orgs_for(world.users["nobody"]).exists()


def test_inactive_user_has_no_scope(world):
    user = world.users["county"]
    user.is_active = False
    scoping.forget_grants(user)
    assert scoping.org_paths(user, Perm.VIEW_ORG) == []


def test_minimal_drops_covered_paths():
    assert scoping._minimal(["0001", "00010002", "0002", "00020001"]) == ["0001", "0002"]


def test_branch_sharing_its_parents_area_gets_no_area_scope(world):
    """A township organ branch is anchored at the township; its secretary must not see the
    township's villages through it (review finding)."""
    from jiceng.core import services
    from jiceng.core.models import User

    c = world.users["county"]
    organ = services.org_create(
        actor=c, parent=world.town_a_org, name="甲镇机关党支部", kind="branch", area=world.town_a
    )
    sec = User.objects.create(username="organ_sec")
    services.role_grant(actor=c, user=sec, role="branch_secretary", org=organ)
    assert scoping.can_access_org(sec, Perm.VIEW_MEMBER, organ)
    assert scoping.area_paths(sec, Perm.VIEW_MEMBER) == []
    assert not scoping.can_access_area(sec, Perm.VIEW_MEMBER, world.village_a)
    # the township committee itself keeps its area
    assert scoping.can_access_area(world.users["township"], Perm.VIEW_MEMBER, world.village_a)


def test_role_permission_table_is_what_the_apps_declare():
    """The table the plugins add up to (core.kit) is the one the platform had before apps declared
    their own permissions: nobody gained or lost a right in the move."""
    from jiceng.core.roles import role_perms

    everything = {
        "view_org",
        "view_member",
        "change_member",
        "reveal_personal",
        "export_personal",
        "view_audit",
        "manage_org",
        "manage_rules",
        "manage_users",
        "record_meeting",
        "publish_topics",
        "grade",
        "view_grid",  # grids
        "manage_grid",
        "record_visit",
        "develop_members",  # development
        "approve_development",
        "development_exception",
        "manage_contacts",  # contacts
        "manage_dues",  # dues
        "view_dues",
        "manage_mobility",  # mobility
        "view_mobility",
        "transfer_relation",
    }
    # cases: who handles residents' requests (the county holds every right, so it may grant them)
    handles = {"view_case", "enter_case", "handle_case"}
    county_cases = handles | {
        "whistle",
        "manage_cases",
        "manage_duty",
        "mediate",
        "push_enforcement",
        "department_work",
    }
    assert role_perms() == {
        "county_admin": frozenset(everything | county_cases),
        "township_admin": frozenset(everything - {"manage_rules"} | handles | {"whistle", "manage_duty"}),
        "branch_secretary": frozenset(
            {
                "view_org",
                "view_member",
                "change_member",
                "reveal_personal",
                "export_personal",
                "view_audit",
                "record_meeting",
                "view_grid",
                "manage_grid",
                "record_visit",
                *handles,
                "whistle",
                "manage_duty",
                "develop_members",
                "manage_contacts",
                "manage_dues",
                "view_dues",
                "manage_mobility",
                "view_mobility",
                "transfer_relation",
            }
        ),
        "grid_worker": frozenset({"view_org", "view_member", "view_grid", "record_visit", *handles}),
        "member": frozenset({"view_org"}),
        "village_handler": frozenset(handles | {"manage_duty"}),
        "errand_agent": frozenset(handles),
        "hotline_operator": frozenset({"view_case", "enter_case"}),
        "mediator": frozenset({"mediate"}),
        "court_liaison": frozenset({"push_enforcement"}),
        "department_handler": frozenset({"department_work"}),
        "dues_collector": frozenset({"view_org", "view_member", "manage_dues", "view_dues"}),
    }
