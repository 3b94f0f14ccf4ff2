"""A resident's request through the real pages on a phone (390 × 844), against the demo county:

1. a resident without an account files a road repair with a photo (GPS in its EXIF) and reads the
   tracking number;
2. the demo secretary's village (青林村) accepts it and reports it up to the township (吹哨上报);
3. the township accepts it and blows the whistle to 住房和城乡建设局;
4. that department's staff (``housing``) sees the whistle on their home page, reports in and
   resolves it with a reply;
5. the resident follows it with the number and the phone's last four digits, reads the reply, the
   county sees the SMS held for the resident in the outbox (masked), and the resident rates it;
6. the county's 受理诉求 figure is one more than before: on the figure's rows page, computed live,
   at once, and on the dashboard once the rollup worker (started by ``jiceng serve``, every 10 s)
   has taken in the writes — the dashboard reads stored rollups by design (core/rollups.py).

No page of the journey scrolls sideways (test_phone's LAYOUT_PROBLEMS on every page).

    .venv/bin/python -m pytest -q -m e2e tests/e2e/test_cases_journey.py
"""

from __future__ import annotations

import io
import re
import time

import pytest

from tests.e2e.conftest import RESULTS_DIR, TIMEOUT_MS
from tests.e2e.test_phone import LAYOUT_PROBLEMS, PHONE

pytestmark = pytest.mark.e2e

TOWNSHIP = "葛城镇"  # the demo township user's township
VILLAGE = "青林村"  # the demo secretary's village (their queue shows its cases)
CATEGORY = "道路桥梁破损"
DEPARTMENT = "住房和城乡建设局"  # the demo's department user ``housing`` works there
PHONE_NUMBER = "13987654321"
TAIL, MASKED = PHONE_NUMBER[-4:], "139****4321"
DESCRIPTION = "村口石桥桥面塌了一个坑，雨天积水，电动车经过很危险。"
REPLY = "已组织施工队修补桥面并设置警示标志，请您查看。"
OUTBOX_WAIT_S = 20  # the job worker takes the dispatch task within a few seconds
ROLLUP_WAIT_S = 30  # the rollup worker's cycle is 10 s; a county subtree takes a few more


def _photo_with_gps() -> bytes:
    """A JPEG whose EXIF holds a GPS position and a camera make (the server must strip both)."""
    from PIL import ExifTags, Image

    img = Image.new("RGB", (640, 480), (120, 160, 90))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "JourneyCam"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (28.0, 30.0, 15.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (112.0, 10.0, 5.0),
    }
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=80)
    data = buf.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo lacks GPS"
    return data


class Pages:
    """Every page the journey lands on is checked for sideways scrolling and layout problems, and
    its console errors and failed requests are collected (the public pages' missing favicon aside:
    public_base.html links none, so Chromium asks for /favicon.ico)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.console: list[str] = []
        self.count = 0

    def watch(self, page):
        page.on("console", lambda m: m.type == "error" and self._console(page, m.text))
        page.on("pageerror", lambda e: self.console.append(f"{page.url}: {e}"))
        page.on("response", lambda r: r.status >= 400 and self.console.append(f"{r.status} {r.url}"))
        return page

    def _console(self, page, text: str) -> None:
        if not text.startswith("Failed to load resource"):  # a failed request: kept with its URL below
            self.console.append(f"{page.url}: {text}")

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        self.count += 1
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (
            f"{name} ({page.url}) scrolls sideways"
        )
        self.problems += [f"{name} ({page.url}): {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / f"cases-{self.count:02d}-{name}.png"), full_page=True)

    def errors(self) -> list[str]:
        return [m for m in self.console if not m.endswith("/favicon.ico")]


def _figure_value(page, name: str) -> int:
    text = page.locator(f".headlines [data-indicator='{name}'] .value b").first.text_content()
    return int(re.sub(r"\D", "", text or ""))


def _row_count(page, pages: Pages, name: str) -> int:
    page.goto(f"/figures/{name}/")
    pages.check(page, "figure-rows")
    return int(re.sub(r"\D", "", page.locator("#row-count").text_content() or ""))


def _state(page) -> str:
    return page.locator("#case-state").get_attribute("data-state")


def _act(page, key: str) -> None:
    """Submit the step's form on the case page and land on the case page again, without an error."""
    form = page.locator(f"form#act-{key}")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert not page.locator(".error").count(), page.locator(".error").all_text_contents()


def test_a_residents_request_from_filing_to_rating(browser, server, log_in):
    from playwright.sync_api import expect

    pages = Pages()
    started = time.monotonic()

    # 0. the county's figure before: live on the rows page, and as the dashboard shows it
    county = pages.watch(log_in("county", viewport=PHONE))
    received_live = _row_count(county, pages, "cases.received")
    county.goto("/dashboard/")
    pages.check(county, "dashboard-before")
    received_board = _figure_value(county, "cases.received")

    # 1. the resident files the request (no account)
    ctx = browser.new_context(
        base_url=server.base_url, locale="zh-CN", viewport={"width": PHONE[0], "height": PHONE[1]}
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        resident = pages.watch(ctx.new_page())
        resident.goto("/public/cases/new/")
        pages.check(resident, "public-new")
        resident.select_option("#id_township", label=TOWNSHIP)
        with resident.expect_navigation():
            resident.click("#pick-township button[type=submit]")
        expect(resident).to_have_url(re.compile(r"[?&]township=\d+"))
        pages.check(resident, "public-new-township")
        villages = resident.locator("#id_area option").all_text_contents()
        assert VILLAGE in [v.strip() for v in villages], villages
        groups = resident.locator("#id_area optgroup").evaluate_all("gs => gs.map(g => g.label)")
        assert groups == [TOWNSHIP], groups  # only the chosen township's villages are offered now
        form = resident.locator("#public-case-form")
        form.locator("select[name=category]").select_option(label=CATEGORY)
        form.locator("textarea[name=description]").fill(DESCRIPTION)
        form.locator("select[name=area]").select_option(label=VILLAGE)
        form.locator("input[name=address]").fill("村口石桥")
        form.locator("input[name=name]").fill("王建国")
        form.locator("input[name=phone]").fill(PHONE_NUMBER)
        form.locator("input[name=photos]").set_input_files(
            files=[{"name": "bridge.jpg", "mimeType": "image/jpeg", "buffer": _photo_with_gps()}]
        )
        pages.check(resident, "public-new-filled")
        with resident.expect_navigation():
            form.locator("button[type=submit].primary").click()
        expect(resident).to_have_url(re.compile(r"/public/cases/new/done/\?number="))
        pages.check(resident, "public-done")
        number = resident.locator("#tracking-number").text_content().strip()
        assert re.fullmatch(r"[0-9A-Z]{8,16}", number), number
        assert PHONE_NUMBER not in resident.content()

        # 2. the village: the new case in the secretary's queue; accept, then report it up
        sec = pages.watch(log_in("secretary", viewport=PHONE))
        pages.check(sec, "secretary-home")
        row = sec.locator("ul.worklist.cases li").filter(has_text=number)
        if not row.count():  # the home page lists the most urgent few: the whole queue has it
            sec.click("a[data-count='queue']")
            sec.wait_for_url(re.compile(r"/cases/\?tab=mine"))
            pages.check(sec, "secretary-queue")
            row = sec.locator("ul.worklist.cases li").filter(has_text=number)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(VILLAGE)
        row.locator("a").first.click()
        sec.wait_for_url(re.compile(r"/cases/\d+/$"))
        case_url = re.search(r"/cases/\d+/", sec.url).group(0)
        pages.check(sec, "secretary-case")
        assert _state(sec) == "received"
        expect(sec.locator("#case-description")).to_have_text(DESCRIPTION)
        expect(sec.locator("#case-resident")).to_contain_text(MASKED)
        assert PHONE_NUMBER not in sec.content()
        # the photo is there, for staff only, without its location and camera data
        photo = sec.locator("#case-photos img").first
        expect(photo).to_be_visible()
        resp = sec.request.get(photo.get_attribute("src"))
        assert resp.status == 200 and resp.headers["content-type"].startswith("image/"), resp.status
        from PIL import ExifTags, Image

        exif = Image.open(io.BytesIO(resp.body())).getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif, dict(exif)
        assert ctx.request.get(photo.get_attribute("src"), max_redirects=0).status in (302, 403, 404)

        _act(sec, "accept")
        pages.check(sec, "secretary-accepted")
        assert _state(sec) == "handling"
        sec.locator("form#act-escalate textarea[name=reason]").fill("桥面修补需要乡镇协调资金和施工队。")
        _act(sec, "escalate")
        pages.check(sec, "secretary-escalated")
        assert _state(sec) == "received"
        expect(sec.locator("#case-facts")).to_contain_text(TOWNSHIP)
        expect(sec.locator("form#act-accept")).to_have_count(0)  # the township's now, not the village's

        # 3. the township: accept and whistle the department
        town = pages.watch(log_in("township", viewport=PHONE))
        pages.check(town, "township-home")
        town.goto("/cases/?tab=mine")
        pages.check(town, "township-queue")
        row = town.locator(f"ul.worklist.cases li a[href='{case_url}']")
        expect(row).to_have_count(1)
        row.click()
        town.wait_for_url(f"**{case_url}")
        pages.check(town, "township-case")
        _act(town, "accept")
        assert _state(town) == "handling"
        whistle = town.locator("form#act-whistle")
        whistle.locator("label.check", has_text=re.compile(rf"^\s*{DEPARTMENT}\s*$")).locator(
            "input[name=departments]"
        ).check()
        whistle.locator("input[name=note]").fill("请住建局派员查看桥体结构安全。")
        pages.check(town, "township-whistle")
        _act(town, "whistle")
        pages.check(town, "township-whistled")
        expect(town.locator("#case-whistles li[data-whistle]").filter(has_text=DEPARTMENT)).to_have_count(1)

        # 4. the department: the whistle on the home page; report in, then resolve with a reply
        dept = pages.watch(log_in("housing", viewport=PHONE))
        pages.check(dept, "department-home")
        waiting = dept.locator("ul.worklist.whistles li[data-whistle]").filter(has_text=number)
        expect(waiting).to_have_count(1)
        waiting.locator("a.button.primary").click()
        dept.wait_for_url(re.compile(re.escape(case_url) + r"(#act-report_in)?$"))
        pages.check(dept, "department-case")
        dept.locator("form#act-report_in textarea[name=note]").fill("已派员到现场查看。")
        _act(dept, "report_in")
        pages.check(dept, "department-reported")
        expect(dept.locator("#case-whistles li[data-whistle]").filter(has_text=DEPARTMENT)).to_contain_text(
            "已派员到现场查看"
        )
        dept.locator("form#act-resolve textarea[name=reply]").fill(REPLY)
        _act(dept, "resolve")
        pages.check(dept, "department-resolved")
        assert _state(dept) == "resolved"
        expect(dept.locator("#case-reply")).to_have_text(REPLY)
        dept.goto("/")
        expect(dept.locator("ul.worklist.whistles li[data-whistle]").filter(has_text=number)).to_have_count(0)

        # 5. the resident follows it, reads the reply; the SMS is held for them; they rate it
        resident.goto(f"/public/cases/track/?number={number}")
        pages.check(resident, "public-track")
        expect(resident.locator("#track-form input[name=number]")).to_have_value(number)
        resident.fill("#track-form input[name=tail]", TAIL)
        with resident.expect_navigation():
            resident.click("#track-form button[type=submit]")
        assert "tail" not in resident.url and TAIL not in resident.url  # posted, never in the URL
        pages.check(resident, "public-tracked")
        expect(resident.locator("#tracked-state")).to_have_attribute("data-state", "resolved")
        expect(resident.locator("#tracked-reply")).to_have_text(REPLY)
        trail = resident.locator("#tracked-trail li")
        assert trail.count() >= 3, trail.all_text_contents()  # received, reported up, resolved …
        expect(resident.locator("#tracked-trail")).to_contain_text(TOWNSHIP)
        assert "王建国" not in resident.content() and PHONE_NUMBER not in resident.content()

        # the job worker (started by ``jiceng serve``) hands each message to its sender; without an
        # SMS gateway it is held, with the address masked
        sms = county.locator("#outbox-table tbody tr").filter(has_text=number)
        deadline = time.monotonic() + OUTBOX_WAIT_S
        while True:
            county.goto("/outbox/?channel=sms")
            if sms.filter(has_text="已办结").and_(county.locator("tr[data-status=held]")).count():
                break
            assert time.monotonic() < deadline, f"no SMS held for the resident: {sms.all_text_contents()}"
            county.wait_for_timeout(1000)
        pages.check(county, "outbox")
        assert sms.count() >= 4, sms.all_text_contents()  # received, accepted, reported up, resolved
        done = sms.filter(has_text="已办结").first
        expect(done).to_contain_text(MASKED)
        expect(done).to_contain_text(f"{REPLY.rstrip('。')}。请凭编号")
        assert PHONE_NUMBER not in county.content()

        rate = resident.locator("#rate-form")
        rate.locator("input[name=rating][value=satisfied]").check()
        rate.locator("input[name=resolved][value=yes]").check()
        pages.check(resident, "public-rate")
        with resident.expect_navigation():
            rate.locator("button[type=submit]").click()
        pages.check(resident, "public-rated")
        expect(resident.locator("#notice")).to_be_visible()
        expect(resident.locator("#tracked-state")).to_have_attribute("data-state", "closed")
        expect(resident.locator("#rate-form")).to_have_count(0)
        expect(resident.locator("#tracked")).to_contain_text("满意")
    finally:
        ctx.close()

    sec.goto(case_url)
    pages.check(sec, "secretary-closed")
    assert _state(sec) == "closed"

    # 6. the county's figure: one more, live at once; on the dashboard once the rollup is fresh
    assert _row_count(county, pages, "cases.received") == received_live + 1
    deadline = time.monotonic() + ROLLUP_WAIT_S
    while True:
        county.goto("/dashboard/")
        shown = _figure_value(county, "cases.received")
        if shown == received_board + 1 or time.monotonic() > deadline:
            break
        county.wait_for_timeout(2000)
    pages.check(county, "dashboard-after")
    print(f"\nthe dashboard took {ROLLUP_WAIT_S - (deadline - time.monotonic()):.1f} s to show the new case")
    assert shown == received_board + 1, (
        f"the dashboard shows {shown} received, {received_board} before the request "
        f"({county.locator('#figures-source').all_text_contents()})"
    )

    assert not pages.problems, "\n".join(pages.problems)
    assert not pages.errors(), "\n".join(pages.errors())
    print(f"\ncases journey: {pages.count} pages in {time.monotonic() - started:.1f} s")
