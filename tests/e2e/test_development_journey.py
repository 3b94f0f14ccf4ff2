"""A secretary advances an activist to development candidate on a phone (390 × 844), against the
demo county, whose secretary's village has 李晓东, an activist for a little over a year with a
review every half year (development/demo.py READY):

1. the township's stage counts for the village, before;
2. the secretary opens the board, then 李晓东's record, and records 确定发展对象 dated one day
   before the year has passed: refused, and the message names the first allowed date;
3. the same form with that date: accepted; the record and the board say 发展对象;
4. the township's counts for the village: one activist fewer, one candidate more.

No page of the journey scrolls sideways.

    .venv/bin/python -m pytest -q -m e2e tests/e2e/test_development_journey.py
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.test_phone import LAYOUT_PROBLEMS, PHONE

pytestmark = pytest.mark.e2e

READY = "李晓东"


class Pages:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.errors: list[str] = []
        self.count = 0

    def watch(self, page):
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"))
        return page

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        self.count += 1
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), f"{name} scrolls sideways"
        self.problems += [f"{name} ({page.url}): {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / f"development-{self.count:02d}-{name}.png"), full_page=True)


def _counts(page, pages: Pages, village_org: str) -> dict[str, int]:
    page.goto("/development/")
    pages.check(page, "township-board")
    row = page.locator("#stage-counts tr").filter(has_text=village_org)
    return {
        stage: int(row.locator(f"td[data-stage='{stage}']").text_content().strip())
        for stage in ("activist", "candidate")
    }


def test_a_secretary_makes_an_activist_a_candidate(browser, server, log_in):
    from playwright.sync_api import expect

    pages = Pages()
    sec = pages.watch(log_in("secretary", viewport=PHONE))
    pages.check(sec, "secretary-home")
    expect(sec.locator("#home-development")).to_be_visible()
    sec.click("#home-development a[href^='/development/?org']")
    pages.check(sec, "board")
    title = sec.locator("h1").text_content()
    village_org = title.split("·")[-1].strip()
    row = sec.locator("#board li").filter(has_text=READY)
    expect(row).to_have_count(1)
    assert row.get_attribute("data-state") == "guided"
    due = row.locator(".due").text_content()
    allowed = dt.date.fromisoformat(re.search(r"(\d{4}-\d{2}-\d{2})起可列为发展对象", due).group(1))

    township = pages.watch(log_in("township", viewport=PHONE))
    before = _counts(township, pages, village_org)

    row.locator("a").first.click()
    sec.wait_for_url(re.compile(r"/development/\d+/$"))
    pages.check(sec, "record")
    expect(sec.locator("#record-stage")).to_have_text("入党积极分子")
    sec.locator("#next-steps li[data-step='s07_candidate'] a").click()
    pages.check(sec, "step-form")
    form = sec.locator("#step-form")
    form.locator("input[name=on]").fill((allowed - dt.timedelta(days=1)).isoformat())
    form.locator("textarea[name=note]").fill("支部委员会研究同意列为发展对象")
    with sec.expect_navigation():
        form.locator("button[type=submit]").click()
    pages.check(sec, "step-refused")
    error = sec.locator(".error").all_text_contents()
    assert any(f"最早 {allowed:%Y-%m-%d}" in e and "细则第十三条" in e for e in error), error

    form.locator("input[name=on]").fill(allowed.isoformat())
    with sec.expect_navigation():
        form.locator("button[type=submit]").click()
    sec.wait_for_url(re.compile(r"/development/\d+/$"))
    pages.check(sec, "record-after")
    expect(sec.locator("#record-stage")).to_have_text("发展对象")
    expect(sec.locator("#steps li[data-code='s07_candidate']")).to_contain_text(f"{allowed:%Y-%m-%d}")

    sec.goto("/development/?stage=candidate")
    pages.check(sec, "board-candidates")
    expect(sec.locator("#board li").filter(has_text=READY)).to_have_count(1)

    after = _counts(township, pages, village_org)
    assert after == {"activist": before["activist"] - 1, "candidate": before["candidate"] + 1}, (
        before,
        after,
    )
    assert not pages.problems, pages.problems
    assert not pages.errors, pages.errors
