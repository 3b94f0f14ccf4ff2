"""Searchable selects in the browser (core.widgets.SearchSelect, site.js): the search box appears
with script, typing asks the lookup for options and puts them into the real select with the first
match chosen, Enter never submits the form, and a filter searched this way filters the list.

    .venv/bin/python -m pytest -q -m e2e tests/e2e/test_search_select.py
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _errors(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda m: m.type == "error" and seen.append(m.text))
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def test_member_form_searches_its_organisation(log_in):
    page = log_in("county", viewport=(390, 844))
    errors = _errors(page)
    page.goto("/members/new/")
    box = page.locator("#id_org-search")
    assert box.is_visible()
    assert page.locator("#id_org option").count() <= 21  # not the county's 1,800
    height = box.bounding_box()["height"]
    assert height >= 44, height  # a tap target on a phone
    with page.expect_response(lambda r: "/lookup/orgs/" in r.url and "q=" in r.url) as answer:
        box.fill("网格党小组")
    assert answer.value.status == 200
    # (no wait_for_function: its polling evaluates a string, which the CSP forbids)
    expect(page.locator("#id_org option:checked")).to_contain_text("网格党小组")
    count = page.locator("#id_org option").count()
    assert 2 <= count <= 51 + 1
    # Enter: no submission (the form is half-filled), the page stays
    url = page.url
    box.press("Enter")
    page.wait_for_timeout(500)
    assert page.url == url and not page.locator(".error").count()
    # nothing matches: one disabled option
    with page.expect_response(lambda r: "/lookup/orgs/" in r.url):
        box.fill("不存在的组织名称")
    expect(page.locator("#id_org option")).to_have_count(1)
    assert page.locator("#id_org option").first.is_disabled()
    assert not errors, errors


def test_member_list_filtered_by_a_searched_organisation(log_in):
    page = log_in("county")
    errors = _errors(page)
    page.goto("/members/")
    box = page.locator("#id_org-search")
    with page.expect_response(lambda r: "/lookup/orgs/" in r.url and "q=" in r.url):
        box.fill("第1网格党小组")
    expect(page.locator("#id_org option:checked")).to_contain_text("第1网格党小组")
    org_id = page.locator("#id_org").input_value()
    name = page.locator("#id_org option:checked").inner_text()
    assert "/lookup/" not in page.url  # the search box's requests are not pushed to the address bar
    page.click("#member-search button[type=submit]")
    page.wait_for_url(f"**/members/?*org={org_id}*")
    cells = page.locator("#member-table tbody tr td:nth-child(7)").all_inner_texts()
    assert cells and all(c == name for c in cells), (name, cells[:5])
    assert not errors, errors


@pytest.mark.parametrize("url", ["/members/", "/members/new/", "/members/import/"])
def test_pages_with_a_search_select_fit_a_phone(log_in, url):
    from tests.e2e.conftest import SCREENSHOTS_DIR
    from tests.e2e.test_phone import LAYOUT_PROBLEMS, SMALL_TARGETS

    page = log_in("county", viewport=(390, 844))
    page.goto(url)
    expect(page.locator("#id_org-search")).to_be_visible()
    problems = page.evaluate(LAYOUT_PROBLEMS) + page.evaluate(SMALL_TARGETS)
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    name = url.strip("/").replace("/", "_")
    page.screenshot(path=str(SCREENSHOTS_DIR / f"search-select-390-{name}.png"))
    assert not problems, problems
