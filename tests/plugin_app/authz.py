from jiceng.core import kit

CASES = kit.AuthzCases(visible_to_b=frozenset())
