"""A village secretary runs a road repair through 五步决策法 on a phone (390 × 844), against the
demo county (its secretary's village has the 两委, the party members and a 村民代表 roster):

1. the secretary registers 村口道路修缮 (五步决策法) and records 村党组织提议, 两委会议商议 and
   党员大会审议, ticking who was present and entering the votes;
2. the township logs in, finds it among the reviews waiting and approves it;
3. the secretary records the 村民代表会议's resolution (too few present first: refused with the
   rule and the numbers), then 决议公开;
4. an anonymous visitor reads the decision's trail on the public page; the secretary records the
   implementation result, which the public page then shows;
5. a second matter is vetoed by the township: its page offers no assembly stage.

    .venv/bin/python -m pytest -q -m e2e tests/e2e/test_decisions_journey.py
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import RESULTS_DIR, TIMEOUT_MS
from tests.e2e.test_phone import LAYOUT_PROBLEMS, PHONE

pytestmark = pytest.mark.e2e

ROAD = "村口道路修缮"
VETO = "集体林地对外流转"


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
        page.screenshot(path=str(RESULTS_DIR / f"decisions-{self.count:02d}-{name}.png"), full_page=True)


def _new(page, pages: Pages, title: str) -> str:
    page.goto("/decisions/new/")
    pages.check(page, "new")
    form = page.locator("#matter-form")
    form.locator("select[name=kind]").select_option("public_works")
    form.locator("select[name=procedure]").select_option("decisions.five_step")
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=amount_yuan]").fill("86000")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/decisions/\d+/$"))
    return re.search(r"/decisions/(\d+)/$", page.url).group(1)


def _stage(page, pages: Pages, action: str, *, present: int | None = None, fill: dict | None = None) -> None:
    """Open the stage's form from the matter page, tick everyone (or the first ``present``), all for."""
    page.locator(f"#next-stages li[data-action='{action}'] a").click()
    pages.check(page, f"stage-{action}")
    form = page.locator("#stage-form")
    boxes = form.locator("#attendees input[type=checkbox]")
    n = boxes.count()
    if n:
        k = n if present is None else present
        boxes.evaluate_all(f"(els) => els.forEach((e, i) => e.checked = i < {k})")
        # probationary members attend but do not vote
        voters = form.locator("#attendees label").evaluate_all(
            f"(els) => els.slice(0, {k}).filter((e) => !e.textContent.includes('预备党员')).length"
        )
        form.locator("input[name=votes_for]").fill(str(voters))
    for name, value in (fill or {}).items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_road_repair_through_five_steps_to_the_public_page(browser, server, log_in):
    from playwright.sync_api import expect

    pages = Pages()
    sec = pages.watch(log_in("secretary", viewport=PHONE))
    mid = _new(sec, pages, ROAD)
    pages.check(sec, "matter")
    for action in ("propose", "discuss", "review"):
        _stage(sec, pages, action)
        sec.wait_for_url(re.compile(rf"/decisions/{mid}/$"))
    expect(sec.locator("#matter-stage")).to_have_attribute("data-stage", "reviewed")
    expect(sec.locator("#next-stages li[data-action='resolve']")).to_have_count(0)

    township = pages.watch(log_in("township", viewport=PHONE))
    township.goto("/decisions/township/")
    pages.check(township, "township")
    township.locator(f"#reviews li[data-matter='{mid}'] a").click()
    _stage(township, pages, "township_approve", fill={"minutes": "镇党委会研究同意"})
    township.wait_for_url(re.compile(rf"/decisions/{mid}/$"))
    expect(township.locator("#matter-stage")).to_have_attribute("data-stage", "approved")

    sec.goto(f"/decisions/{mid}/")
    _stage(sec, pages, "resolve", present=3)
    pages.check(sec, "resolve-refused")
    errors = " ".join(sec.locator(".error").all_text_contents())
    assert re.search(r"出席 3 人，未达到应到 \d+ 人的三分之二", errors), errors
    sec.goto(f"/decisions/{mid}/")
    _stage(sec, pages, "resolve")
    sec.wait_for_url(re.compile(rf"/decisions/{mid}/$"))
    expect(sec.locator("#matter-outcome")).to_have_attribute("data-outcome", "decided")
    _stage(sec, pages, "disclose", fill={"names": "施工单位：青山县路桥工程队"})
    sec.wait_for_url(re.compile(rf"/decisions/{mid}/$"))

    anon_ctx = browser.new_context(
        base_url=server.base_url, locale="zh-CN", viewport={"width": PHONE[0], "height": PHONE[1]}
    )
    anon_ctx.set_default_timeout(TIMEOUT_MS)
    anon = pages.watch(anon_ctx.new_page())
    anon.goto(f"/public/decisions/{mid}/")
    pages.check(anon, "public")
    expect(anon.locator("#public-title")).to_have_text(ROAD)
    trail = anon.locator("#public-trail")
    expect(trail.locator("li")).to_have_count(6)
    expect(trail).to_contain_text("赞成")
    expect(anon.locator("#public-result")).to_have_count(0)

    _stage(sec, pages, "implement", fill={"minutes": "道路已硬化600米，经村务监督委员会验收"})
    sec.wait_for_url(re.compile(rf"/decisions/{mid}/$"))
    anon.goto(f"/public/decisions/{mid}/")
    pages.check(anon, "public-result")
    expect(anon.locator("#public-result")).to_contain_text("经村务监督委员会验收")
    anon_ctx.close()

    # a second matter: vetoed by the township, it never reaches the assembly
    vid = _new(sec, pages, VETO)
    for action in ("propose", "discuss", "review"):
        _stage(sec, pages, action)
        sec.wait_for_url(re.compile(rf"/decisions/{vid}/$"))
    township.goto(f"/decisions/{vid}/")
    _stage(township, pages, "township_veto", fill={"reason": "未经集体资产评估"})
    township.wait_for_url(re.compile(rf"/decisions/{vid}/$"))
    sec.goto(f"/decisions/{vid}/")
    pages.check(sec, "vetoed")
    expect(sec.locator("#matter-outcome")).to_have_attribute("data-outcome", "vetoed")
    expect(sec.locator("#next-stages li")).to_have_count(0)
    assert not pages.problems, pages.problems
    # the refused resolution answered 200 with its errors; nothing else failed
    assert not pages.errors, pages.errors
