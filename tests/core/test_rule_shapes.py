"""Rule shapes (kit.Shape): every shipped rule reads in words and its override form gives back the
value it shows; the form names the row and the field it could not read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from jiceng.core import kit
from jiceng.core.forms import RuleOverrideForm
from jiceng.core.rulepacks import default_rules, validate_value, words

SHIPPED = default_rules()


def form_data(rule: kit.Rule, stored, /, **extra) -> dict:
    """What the browser posts for an unchanged override form of ``stored``."""
    form = RuleOverrideForm(rule=rule, current=stored, initial={"key": rule.key})
    data = {"valid_from": dt.date.today().isoformat(), "reason": "县委通知", "source": ""}
    for bf in form:
        v = bf.value()
        if v is False or v is None or bf.name in data:
            continue
        data[bf.name] = v
    data.update(extra)
    return data


def codes_of(rule: kit.Rule) -> set[str]:
    """The internal codes a rule's default names: choice codes and row codes (long enough to tell)."""
    shape = rule.shape
    found = {str(c) for f in shape.fields for c, _label in f.choices}
    value = rule.value
    rows = value if isinstance(value, list) else []
    if shape.grouped_by:
        rows = [r for group in value.values() for r in group]
    found |= {str(r.get(f.key)) for r in rows for f in shape.fields if f.type == "code"}
    return {c for c in found if len(c) > 2 and c.isascii()}


@pytest.fixture(autouse=True)
def _in_chinese():
    """The words are the page's, in the interface's default language (an earlier test may leave
    another one active)."""
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_every_shipped_rule_reads_in_words_without_codes(key):
    rule = SHIPPED[key]
    assert rule.shape is not None, f"{key}: declare its shape (kit.scalar / record / rows)"
    lines = words(rule, rule.value)
    assert lines and all(lines), key
    text = "；".join(lines)
    assert not re.search(r"[{}\[\]\"]", text), text
    assert re.search(r"[\u4e00-\u9fff]|\d", text)
    leaked = [c for c in codes_of(rule) if re.search(rf"(?<![A-Za-z_]){re.escape(c)}(?![A-Za-z_])", text)]
    assert not leaked, f"{key}: {leaked} in {text}"


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_every_shipped_rule_round_trips_through_its_form(key):
    rule = SHIPPED[key]
    form = RuleOverrideForm(form_data(rule, rule.value), rule=rule)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == rule.value
    validate_value(rule, form.cleaned_data["value"])  # and the rule's own check takes it


def test_words_say_what_the_codes_mean():
    assert words(SHIPPED["people.age_bands"], SHIPPED["people.age_bands"].value) == [
        "35岁及以下：年龄上限 35岁",
        "36-59岁：年龄下限 36岁，年龄上限 59岁",
        "60岁及以上：年龄下限 60岁",
    ]
    required = words(SHIPPED["orglife.required_per_period"], SHIPPED["orglife.required_per_period"].value)
    assert required[0] == "支部党员大会：每季度1次（各党支部）"
    assert "支委会：每月1次（设支部委员会的党支部）" in required
    assert words(SHIPPED["grading.bottom_share"], 0.15) == ["15%"]
    assert words(SHIPPED["people.min_member_age"], 18) == ["18岁"]
    assert words(SHIPPED["orglife.reason_required_for"], []) == ["无"]
    assert words(SHIPPED["village.committee_size"], {"min": 3, "max": 7}) == ["最少 3人，最多 7人"]
    schemes = words(SHIPPED["grading.schemes"], SHIPPED["grading.schemes"].value)
    assert schemes[0].startswith("ABC分级") and "A类 85分及以上" in schemes[0]
    # a value that does not fit the shape (an old override) is not forced into words
    assert words(SHIPPED["people.age_bands"], {"le35": 1}) is None
    assert words(SHIPPED["people.min_member_age"], "eighteen") is None
    assert words(kit.Rule("x.y", 1, "无形状", "测试"), 1) is None


def test_scalar_forms_read_their_type():
    rule = SHIPPED["grading.bottom_share"]
    form = RuleOverrideForm(form_data(rule, rule.value, value="12.5"), rule=rule)
    assert form.is_valid() and form.cleaned_data["value"] == 0.125
    form = RuleOverrideForm(form_data(rule, rule.value, value="150"), rule=rule)
    assert not form.is_valid() and form.errors["value"] == [
        "后进/软弱涣散党组织倒排比例（不低于）：百分比必须在0到100之间。"
    ]
    rule = SHIPPED["people.min_member_age"]
    form = RuleOverrideForm(form_data(rule, 18, value="１９"), rule=rule)  # full-width digits
    assert form.is_valid() and form.cleaned_data["value"] == 19
    for bad in ("十八", "18.5", "١٨"):  # Arabic-Indic digits: int() would take them
        form = RuleOverrideForm(form_data(rule, 18, value=bad), rule=rule)
        assert not form.is_valid() and form.errors["value"] == ["入党最低年龄：必须是整数。"], bad
    form = RuleOverrideForm(form_data(rule, 18, value=""), rule=rule)
    assert not form.is_valid() and form.errors["value"] == ["入党最低年龄：必填。"]
    rule = SHIPPED["people.member_org_kinds"]
    data = form_data(rule, rule.value)
    data["value"] = ["group", "branch"]
    form = RuleOverrideForm(data, rule=rule)
    assert form.is_valid() and form.cleaned_data["value"] == ["branch", "group"]  # in the declared order
    data["value"] = ["village"]
    form = RuleOverrideForm(data, rule=rule)
    assert not form.is_valid() and "不是可选的项" in form.errors["value"][0]


def test_table_forms_name_the_row_and_field():
    rule = SHIPPED["people.age_bands"]
    data = form_data(rule, rule.value, **{"r2-max": "五十九", "r3-min": "", "r4-label": "多余"})
    form = RuleOverrideForm(data, rule=rule)
    assert not form.is_valid()
    assert form.errors["r2-max"] == ["第2行 年龄上限：必须是整数。"]
    assert "r3-min" not in form.errors  # optional: an open end
    assert "r4-label" not in form.errors  # a row with only a name is a row; the validator judges it
    assert "value" not in form.cleaned_data
    assert "第2行 年龄上限：必须是整数。" in form.value_errors()

    rule = SHIPPED["orglife.required_per_period"]
    data = form_data(rule, rule.value)
    data.update(
        {"r8-kind": "branch_assembly", "r8-every_months": "1", "r8-count": "2", "r8-holder": "branch"}
    )
    form = RuleOverrideForm(data, rule=rule)
    assert not form.is_valid()
    assert form.errors["r8-kind"] == ["第8行 会议类型：与第1行重复，每一项只填一行。"]
    data.update({"r8-kind": "", "r8-every_months": "", "r8-count": "", "r8-holder": ""})
    data["r2-every_months"] = "5"  # not a period the rule knows
    form = RuleOverrideForm(data, rule=rule)
    assert form.errors["r2-every_months"] == ["第2行 周期：不是可选的项。"]
    data["r2-every_months"] = ""
    form = RuleOverrideForm(data, rule=rule)
    assert form.errors["r2-every_months"] == ["第2行 周期：必填。"]


def test_blank_removed_and_new_rows():
    rule = SHIPPED["people.age_bands"]
    data = form_data(rule, rule.value)
    assert data["r4-label"] == data["r5-label"] == "" and "r6-label" not in data  # two blank rows
    data.update({"r2-label": "36-45岁", "r2-max": "45", "r3-DELETE": "on"})
    data.update(
        {"r4-label": "46-59岁", "r4-min": "46", "r4-max": "59", "r5-label": "60岁及以上", "r5-min": "60"}
    )
    form = RuleOverrideForm(data, rule=rule)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == [
        {"key": "le35", "label": "35岁及以下", "min": None, "max": 35},
        {"key": "36_59", "label": "36-45岁", "min": 36, "max": 45},
        {"key": "r4", "label": "46-59岁", "min": 46, "max": 59},  # a new row gets a code of its own
        {"key": "r5", "label": "60岁及以上", "min": 60, "max": None},
    ]
    # a row emptied of what it shows is gone, its hidden code with it
    data = form_data(rule, rule.value, **{"r2-label": "", "r2-min": "", "r2-max": ""})
    form = RuleOverrideForm(data, rule=rule)
    assert form.is_valid() and [b["key"] for b in form.cleaned_data["value"]] == ["le35", "ge60"]


def test_more_rows_adds_blank_rows_and_checks_nothing():
    rule = SHIPPED["people.age_bands"]
    data = form_data(rule, rule.value, **{"r2-max": "bad"})
    form = RuleOverrideForm(data, rule=rule, more_rows=True)
    assert form.row_count == 5 + 3 and not form.errors and not form.value_errors()
    assert form["r2-max"].value() == "bad"  # what was typed stays


def test_a_rule_without_a_shape_takes_json():
    rule = kit.Rule("x.wells", {"a": 1}, "水井", "测试")
    form = RuleOverrideForm(rule=rule, current={"a": 1}, initial={"key": "x.wells"})
    assert form.value_kind() == "json" and '"a": 1' in form["value"].value()
    bound = RuleOverrideForm({"value": "{not json", "valid_from": "2026-01-01"}, rule=rule)
    assert not bound.is_valid() and "不是有效的JSON" in bound.errors["value"][0]


def test_the_kit_refuses_a_shape_that_cannot_work():
    with pytest.raises(ValueError, match="type one of"):
        kit.scalar("integer")
    with pytest.raises(ValueError, match="choices iff a choice"):
        kit.scalar("choice")
    with pytest.raises(ValueError, match="must be one field"):
        kit.rows(kit.RuleField("a", "甲"), keyed_by="b")
    kit.record(kit.RuleField("a", "甲"), kit.RuleField("b", "乙"))  # fine
    with pytest.raises(ValueError, match="must be one field"):
        kit.Shape("record", (kit.RuleField("a", "甲"),), keyed_by="a")
    with pytest.raises(ValueError, match="fields unique"):
        kit.rows(kit.RuleField("a", "甲"), kit.RuleField("a", "乙"))
