"""The permissions core declares (every app reads by them) and the role → permissions table, which
is what the installed apps' plugins add up to (core.kit). Roles are granted on an org node and reach
its subtree."""

from __future__ import annotations

from enum import StrEnum

from . import kit


class Perm(StrEnum):
    VIEW_ORG = "view_org"  # see the node, its statistics and its area
    VIEW_MEMBER = "view_member"  # see people and party members (masked personal data)
    REVEAL_PERSONAL = "reveal_personal"  # see a full ID or phone number (each view is logged)
    EXPORT_PERSONAL = "export_personal"  # export lists of people (masked; each export logged)
    VIEW_AUDIT = "view_audit"
    MANAGE_ORG = "manage_org"  # add, move, rename org and area nodes
    MANAGE_RULES = "manage_rules"  # override rule-pack values for the subtree
    MANAGE_USERS = "manage_users"  # grant roles inside the subtree


def role_perms() -> dict[str, frozenset[str]]:
    """role code → the permissions it holds (declared roles only)."""
    return kit.role_perms()
