"""The rule-pack page and the holiday table."""

import datetime as dt
import re

from django.urls import reverse

from jiceng.core.models import AuditEntry, HolidayOverride, RuleOverride
from jiceng.core.rulepacks import VERSION, default_rules


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
    r = override(c, world.county_org, value="{not json")
    assert r.status_code == 200
    assert re.search(r'data-field="value">值：不是有效的JSON', r.text)
    r = override(c, world.county_org, value='"eighteen"')  # valid JSON, wrong shape: the service says so
    assert r.status_code == 200 and re.search(r'data-field="value">规则“入党最低年龄”', r.text)
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
