"""What each role may do. Roles are granted on an org node and reach its subtree."""

from __future__ import annotations

from enum import StrEnum

from .models import Role


class Perm(StrEnum):
    VIEW_ORG = "view_org"  # see the node, its statistics and its area
    VIEW_MEMBER = "view_member"  # see people and party members (masked personal data)
    CHANGE_MEMBER = "change_member"  # create and edit people, members, households, 两委 posts
    REVEAL_PERSONAL = "reveal_personal"  # see a full ID or phone number (each view is logged)
    EXPORT_PERSONAL = "export_personal"  # export lists of people (masked; each export logged)
    VIEW_AUDIT = "view_audit"
    MANAGE_ORG = "manage_org"  # add, move, rename org and area nodes
    MANAGE_RULES = "manage_rules"  # override rule-pack values for the subtree
    MANAGE_USERS = "manage_users"  # grant roles inside the subtree
    RECORD_MEETING = "record_meeting"  # record organisational life (三会一课) and attendance
    PUBLISH_TOPICS = "publish_topics"  # publish the monthly key-content list to the subtree
    GRADE = "grade"  # propose, confirm and override branch grades; rectification plans


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.COUNTY_ADMIN: frozenset(Perm),
    Role.TOWNSHIP_ADMIN: frozenset(Perm) - {Perm.MANAGE_RULES},
    Role.BRANCH_SECRETARY: frozenset(
        {Perm.VIEW_ORG, Perm.VIEW_MEMBER, Perm.CHANGE_MEMBER, Perm.REVEAL_PERSONAL, Perm.EXPORT_PERSONAL,
         Perm.VIEW_AUDIT, Perm.RECORD_MEETING}
    ),
    Role.GRID_WORKER: frozenset({Perm.VIEW_ORG, Perm.VIEW_MEMBER}),
    Role.MEMBER: frozenset({Perm.VIEW_ORG}),
}
