"""The reports app's cases for the authorisation matrix (core.kit.AuthzCases)."""

from jiceng.core import kit

CASES = kit.AuthzCases(visible_to_b=frozenset({"dashboard", "org_tree", "area_tree"}))
