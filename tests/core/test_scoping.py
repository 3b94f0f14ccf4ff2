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
    assert not scoping.can_access_org(grid, Perm.CHANGE_MEMBER, world.group_a)
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
