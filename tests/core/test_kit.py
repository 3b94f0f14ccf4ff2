"""The kit refuses declarations that would clash or point at nothing."""

import pytest

from jiceng.core import kit


def test_two_apps_may_not_claim_the_same_permission_or_rule():
    a = kit.AppPlugin(label="a", permissions=(kit.Permission("dig", "挖"),))
    b = kit.AppPlugin(label="b", permissions=(kit.Permission("dig", "掘"),))
    with pytest.raises(ValueError, match="permission 'dig' declared by both a and b"):
        kit._check([a, b])
    kit._check([a, kit.AppPlugin(label="c")])


def test_an_audit_code_means_one_thing():
    a = kit.AppPlugin(label="a", audit_actions={"close": "销号"})
    same = kit.AppPlugin(label="b", audit_actions={"close": "销号"})
    other = kit.AppPlugin(label="c", audit_actions={"close": "关闭"})
    kit._check([a, same])
    with pytest.raises(ValueError, match="audit action 'close'"):
        kit._check([a, other])


def test_a_panel_must_name_a_registered_indicator(db):
    kit._check_figures([kit.AppPlugin(label="a", panels=(kit.Panel("people.age_bands"),))])
    with pytest.raises(ValueError, match="people.age_band'"):
        kit._check_figures([kit.AppPlugin(label="a", headlines=(kit.Headline("people.age_band"),))])
