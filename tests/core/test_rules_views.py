"""The rule-pack page and the holiday table."""

import datetime as dt
import re

from django.urls import reverse

from jiceng.core.models import AuditEntry, HolidayOverride, RuleOverride
from jiceng.core.rulepacks import VERSION, default_rules, resolve


def rule_section(page, key: str) -> str:
    m = re.search(rf'<section class="card rule" id="rule-{re.escape(key)}">(.*?)</section>', page.text, re.S)
    assert m, key
    return m.group(1)


def override(c, org, key="people.min_member_age", value="19", reason="县委通知", **kw):
    data = {
        "key": key,
        "value": value,
        "valid_from": dt.date.today().isoformat(),
        "reason": reason,
        "source": "县委组织部〔2026〕1号",
    }
    data.update(kw)
    return c.post(f"{reverse('rule_list')}?org={org.pk}", data)


def test_rule_page_shows_default_then_the_override(world, login):
    c = login(world.users["county"])
    page = c.get(reverse("rule_list"))
    assert page.status_code == 200 and page.context["org"] == world.county_org
    for key in default_rules():
        assert f'id="rule-{key}"' in page.text
    section = rule_section(page, "people.min_member_age")
    assert "18" in section and VERSION in section and "<form" in section
    assert "local" in rule_section(page, "people.age_bands")  # marked as local practice

    r = override(c, world.town_a_org)
    assert r.status_code == 302 and r["Location"].endswith(
        f"?org={world.town_a_org.pk}#rule-people.min_member_age"
    )
    row = RuleOverride.objects.get(org=world.town_a_org, key="people.min_member_age")
    assert row.value == 19 and row.created_by == world.users["county"]
    assert AuditEntry.objects.filter(action="rule_override", org_path=world.town_a_org.path).exists()

    # below the township the override applies and names where it comes from; the county keeps the default
    section = rule_section(c.get(reverse("rule_list"), {"org": world.branch_a.pk}), "people.min_member_age")
    assert "19" in section and world.town_a_org.name in section
    section = rule_section(c.get(reverse("rule_list")), "people.min_member_age")
    assert world.town_a_org.name not in section and VERSION in section


def test_override_errors_are_shown_and_nothing_stored(world, login):
    c = login(world.users["county"])
    before = (RuleOverride.objects.count(), AuditEntry.objects.count())
    r = override(c, world.county_org, reason="")
    assert r.status_code == 200
    assert re.search(r'data-field="reason">理由：覆盖全国默认规则必须说明理由', r.text)
    r = override(c, world.county_org, value="十八")  # the rule's shape: a whole number of years
    assert r.status_code == 200
    assert re.search(r'data-field="value">入党最低年龄：必须是整数。', r.text)
    r = override(c, world.county_org, value="-1")  # read, but the rule's validator refuses it
    assert r.status_code == 200 and re.search(r'data-field="value">规则“入党最低年龄”.*非负整数', r.text)
    assert "<details open>" in rule_section(r, "people.min_member_age")
    assert (RuleOverride.objects.count(), AuditEntry.objects.count()) == before
    assert override(c, world.county_org, key="no.such.rule").status_code == 404


def test_secretary_reads_rules_without_forms(world, login):
    c = login(world.users["sec_a"])
    page = c.get(reverse("rule_list"))
    assert page.status_code == 200 and page.context["org"] == world.branch_a
    assert "<form" not in rule_section(page, "people.min_member_age")
    assert override(c, world.branch_a).status_code == 404
    assert not RuleOverride.objects.filter(org=world.branch_a).exists()
    # another village's rules are out of reach
    assert c.get(reverse("rule_list"), {"org": world.branch_b.pk}).status_code == 404


def test_township_cannot_override(world, login):
    c = login(world.users["township"])  # township admins hold everything but MANAGE_RULES
    assert c.get(reverse("rule_list")).status_code == 200
    assert override(c, world.town_a_org).status_code == 404


def test_nobody_has_no_rule_page(world, login):
    c = login(world.users["nobody"])
    assert c.get(reverse("rule_list")).status_code == 404
    assert c.get(reverse("holiday_list")).status_code == 404


def test_holiday_added_appears_and_is_audited(world, login):
    c = login(world.users["county"])
    r = c.post(reverse("holiday_list"), {"date": "2031-10-08", "is_workday": "1", "name": "国庆调休"})
    assert r.status_code == 302
    row = HolidayOverride.objects.get(date=dt.date(2031, 10, 8))
    assert row.is_workday is True and row.name == "国庆调休"
    assert AuditEntry.objects.filter(action="holiday_set", target_id=str(row.pk)).exists()
    page = c.get(reverse("holiday_list"))
    assert "2031-10-08" in page.text and "国庆调休" in page.text and 'id="holiday-form"' in page.text
    r = c.post(reverse("holiday_list"), {"date": "not a date", "is_workday": "0"})
    assert r.status_code == 200 and 'data-field="date"' in r.text


def test_holiday_table_read_only_without_manage_rules(world, login):
    c = login(world.users["sec_a"])
    page = c.get(reverse("holiday_list"))
    assert page.status_code == 200 and 'id="holiday-form"' not in page.text
    assert c.post(reverse("holiday_list"), {"date": "2031-10-09", "is_workday": "0"}).status_code == 404
    assert not HolidayOverride.objects.filter(date=dt.date(2031, 10, 9)).exists()


def test_profile_links_to_rules(world, login):
    c = login(world.users["sec_a"])
    page = c.get(reverse("profile"))
    assert reverse("rule_list") in page.text and reverse("holiday_list") in page.text


# --- rules in words, overrides through forms shaped like the rule (kit.Shape) ---------------------


def visible(html: str) -> str:
    """What a reader sees: no forms (their inputs hold stored codes), no tags."""
    html = re.sub(r"<form\b.*?</form>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def shaped_form(key: str, stored, /, **changes) -> dict:
    """The body the page's form for ``key`` posts, unchanged but for ``changes``."""
    from jiceng.core.forms import RuleOverrideForm

    form = RuleOverrideForm(rule=default_rules()[key], current=stored, initial={"key": key})
    data = {
        "valid_from": dt.date.today().isoformat(),
        "reason": "县委通知",
        "source": "县委组织部〔2026〕2号",
    }
    for bf in form:
        if bf.name not in data and bf.value() not in (None, False):
            data[bf.name] = bf.value()
    data.update(changes)
    return data


def test_every_rule_reads_in_chinese_words(world, login):
    page = login(world.users["sec_a"]).get(reverse("rule_list"))  # a reader: no forms
    text = visible(page.text)
    for key, r in default_rules().items():
        section = visible(rule_section(page, key))
        assert r.label in section and r.source in section
        assert not re.search(r"[{}\[\]]|&quot;", section), (key, section)
    ages = visible(rule_section(page, "people.age_bands"))
    assert "35岁及以下" in ages and "年龄上限 35岁" in ages
    assert "le35" not in page.text and "ge60" not in page.text  # the internal codes are nowhere
    # the identifier stays, small and muted, not as the title
    assert re.search(r'<small class="muted mono rule-key"[^>]*>people.age_bands</small>', page.text)
    assert re.search(r"<h2>党员年龄段", rule_section(page, "people.age_bands"))
    required = visible(rule_section(page, "orglife.required_per_period"))
    assert "支部党员大会：每季度1次（各党支部）" in required
    for code in ("branch_assembly", "every_months", "branch_with_committee", "holder"):
        assert code not in text
    assert "10%" in visible(rule_section(page, "grading.bottom_share"))
    assert "党总支、党支部、党小组" in visible(rule_section(page, "people.member_org_kinds"))
    assert "national" in rule_section(page, "people.min_member_age")  # not local practice
    # a manager's page reads the same outside the forms
    managed = login(world.users["county"]).get(reverse("rule_list"))
    assert "le35" not in visible(managed.text) and "branch_assembly" not in visible(managed.text)


def test_scalar_override_through_its_form(world, login):
    c = login(world.users["county"])
    url = f"{reverse('rule_list')}?org={world.town_a_org.pk}"
    section = rule_section(c.get(url), "grading.bottom_share")
    assert re.search(r'name="value" value="10"', section) and "（%）" in section  # the share as a percentage
    r = c.post(url, shaped_form("grading.bottom_share", 0.1, value="15"))
    assert r.status_code == 302
    assert resolve("grading.bottom_share", world.town_a_org) == (0.15, world.town_a_org.name)
    entry = AuditEntry.objects.get(action="rule_override", org_path=world.town_a_org.path)
    assert entry.changes == {"grading.bottom_share": [0.1, 0.15]}
    page = c.get(reverse("rule_list"), {"org": world.branch_a.pk})
    section = visible(rule_section(page, "grading.bottom_share"))
    assert "15%" in section and world.town_a_org.name in section and "10%" in section  # and the default


def test_table_override_through_its_form(world, login):
    c = login(world.users["county"])
    url = f"{reverse('rule_list')}?org={world.town_a_org.pk}"
    default = default_rules()["people.age_bands"].value
    section = rule_section(c.get(url), "people.age_bands")
    assert 'name="r5-label"' in section and 'name="r6-label"' not in section  # 3 rows + 2 blank ones
    assert '<div class="scroll">' in section
    body = shaped_form(
        "people.age_bands",
        default,
        **{"r2-label": "36-45岁", "r2-max": "45", "r3-DELETE": "on"},
        **{"r4-label": "46-59岁", "r4-min": "46", "r4-max": "59", "r5-label": "60岁及以上", "r5-min": "60"},
    )
    assert c.post(url, body).status_code == 302
    expected = [
        {"key": "le35", "label": "35岁及以下", "min": None, "max": 35},
        {"key": "36_59", "label": "36-45岁", "min": 36, "max": 45},
        {"key": "r4", "label": "46-59岁", "min": 46, "max": 59},
        {"key": "r5", "label": "60岁及以上", "min": 60, "max": None},
    ]
    assert resolve("people.age_bands", world.town_a_org)[0] == expected
    entry = AuditEntry.objects.get(action="rule_override", org_path=world.town_a_org.path)
    assert entry.changes["people.age_bands"] == [default, expected]
    page = visible(rule_section(c.get(url), "people.age_bands"))
    assert "36-45岁：年龄下限 36岁，年龄上限 45岁" in page and "46-59岁" in page


def test_keyed_table_override_through_its_form(world, login):
    c = login(world.users["county"])
    url = f"{reverse('rule_list')}?org={world.county_org.pk}"
    default = default_rules()["orglife.required_per_period"].value
    rows = list(default)
    lecture = rows.index("party_lecture") + 1
    body = shaped_form("orglife.required_per_period", default, **{f"r{lecture}-every_months": "1"})
    assert c.post(url, body).status_code == 302
    stored = resolve("orglife.required_per_period", world.county_org)[0]
    assert stored == {**default, "party_lecture": {"every_months": 1, "count": 1, "holder": "branch"}}
    assert "党课：每月1次（各党支部）" in visible(rule_section(c.get(url), "orglife.required_per_period"))


def test_bad_row_input_is_named_kept_and_nothing_stored(world, login):
    c = login(world.users["county"])
    url = f"{reverse('rule_list')}?org={world.town_a_org.pk}"
    before = (RuleOverride.objects.count(), AuditEntry.objects.count())
    default = default_rules()["people.age_bands"].value
    r = c.post(url, shaped_form("people.age_bands", default, **{"r2-max": "四十五"}))
    assert r.status_code == 200
    section = rule_section(r, "people.age_bands")
    assert re.search(r'data-field="r2-max">第2行 年龄上限：必须是整数。', section)
    assert 'name="r2-max" value="四十五"' in section  # what the user typed stays
    assert "<details open>" in section
    # read, but not contiguous: the rule's own validator says so, as before
    r = c.post(url, shaped_form("people.age_bands", default, **{"r2-max": "50"}))
    assert r.status_code == 200
    assert re.search(r'data-field="__all__">规则“党员年龄段.*首尾相接', rule_section(r, "people.age_bands"))
    # a meeting kind twice
    required = default_rules()["orglife.required_per_period"].value
    n = len(required) + 1
    body = shaped_form(
        "orglife.required_per_period",
        required,
        **{
            f"r{n}-kind": "theme_day",
            f"r{n}-every_months": "3",
            f"r{n}-count": "1",
            f"r{n}-holder": "branch",
        },
    )
    r = c.post(url, body)
    assert r.status_code == 200
    first = list(required).index("theme_day") + 1
    assert f"第{n}行 会议类型：与第{first}行重复" in rule_section(r, "orglife.required_per_period")
    assert (RuleOverride.objects.count(), AuditEntry.objects.count()) == before


def test_more_rows_without_javascript(world, login):
    c = login(world.users["county"])
    url = f"{reverse('rule_list')}?org={world.town_a_org.pk}"
    before = RuleOverride.objects.count()
    default = default_rules()["people.age_bands"].value
    r = c.post(url, shaped_form("people.age_bands", default, more_rows="1", **{"r1-label": "35岁以下"}))
    assert r.status_code == 200
    section = rule_section(r, "people.age_bands")
    assert 'name="r8-label"' in section and 'name="r9-label"' not in section
    assert 'value="35岁以下"' in section and 'class="error' not in section
    assert RuleOverride.objects.count() == before


def test_readers_get_no_shaped_form_and_cannot_post_one(world, login):
    c = login(world.users["sec_a"])
    page = c.get(reverse("rule_list"))
    for key in default_rules():
        assert "<form" not in rule_section(page, key)
    default = default_rules()["people.age_bands"].value
    body = shaped_form("people.age_bands", default, **{"r2-max": "45", "r3-min": "46"})
    assert c.post(f"{reverse('rule_list')}?org={world.branch_a.pk}", body).status_code == 404
    c = login(world.users["township"])
    assert c.post(f"{reverse('rule_list')}?org={world.town_a_org.pk}", body).status_code == 404
    assert not RuleOverride.objects.filter(key="people.age_bands").exists()
