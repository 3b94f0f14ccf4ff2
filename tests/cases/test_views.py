"""The staff pages of residents' requests: who may open which, the whole path of a case through the
pages (file, accept, escalate, whistle, report in, resolve), refusals shown on the forms with
nothing stored, photos served only within scope, and query-count guards on the lists."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from jiceng.cases import services
from jiceng.cases.models import Case, CasePhoto, Kind, Level, Mediator, State, Whistle
from jiceng.core.models import Area


def refresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def detail(case) -> str:
    return reverse("cases_detail", kwargs={"case_id": case.pk})


def act(case, action: str) -> str:
    return reverse("cases_act", kwargs={"case_id": case.pk, "action": action})


def jpeg(size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "blue").save(buf, "JPEG")
    return buf.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


# --- who may open what ------------------------------------------------------------------------------


def test_pages_open_for_the_right_roles_only(cw, client, login):
    w, u = cw.w, cw.users
    case = cw.file("road")
    login(w.users["sec_a"])
    for url in (
        reverse("cases_queue"),
        reverse("cases_queue") + "?tab=all",
        reverse("cases_queue") + "?tab=overdue",
        reverse("cases_new"),
        detail(case),
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("cases_queue") + "?tab=mine").content.decode()
    assert case.number in page  # handled at the village: in its secretary's queue
    # another village's secretary: the case is missing to them, as an unknown id is
    login(w.users["sec_b"])
    assert client.get(detail(case)).status_code == 404
    assert client.get(reverse("cases_detail", kwargs={"case_id": 2_000_000_000})).status_code == 404
    assert case.number not in client.get(reverse("cases_queue") + "?tab=all").content.decode()
    assert client.post(act(case, "accept")).status_code == 404
    assert refresh(case).state == State.RECEIVED
    # a member without a case role: no case page at all
    login(w.users["member"])
    assert client.get(reverse("cases_queue")).status_code == 404
    assert client.get(reverse("cases_new")).status_code == 404
    assert client.get(detail(case)).status_code == 404
    # a department sees only the cases it was whistled to
    login(u["dept"])
    assert client.get(reverse("cases_department")).status_code == 200
    assert client.get(detail(case)).status_code == 404
    assert client.get(reverse("cases_queue")).status_code == 404
    # mediator's and court's pages: their roles only
    login(u["volunteer"])
    assert client.get(reverse("cases_mediator")).status_code == 200
    login(u["court"])
    assert client.get(reverse("cases_court")).status_code == 200
    login(w.users["sec_a"])
    for name in ("cases_court", "cases_mediator", "cases_department"):
        assert client.get(reverse(name)).status_code == 404, name


def test_anonymous_staff_pages_go_to_the_login(cw, client):
    case = cw.file("road")
    for url in (reverse("cases_queue"), reverse("cases_new"), detail(case), act(case, "accept")):
        r = client.get(url)
        assert r.status_code == 302 and reverse("login") in r["Location"], url
        assert client.post(url).status_code == 302
    assert refresh(case).state == State.RECEIVED


# --- the whole path through the pages -------------------------------------------------------------------


def test_staff_files_a_case_and_it_goes_all_the_way(cw, client, login):
    w, u = cw.w, cw.users
    login(w.users["sec_a"])
    before = Case.objects.count()
    r = client.post(
        reverse("cases_new"),
        {
            "category": cw.category("road").pk,
            "severity": "normal",
            "channel": "window",
            "title": "村口路面塌陷",
            "description": "村口道路塌陷，车辆无法通行。",
            "area": w.village_a.pk,
            "address": "村口桥头",
            "name": "赵六",
            "phone": "13912345678",
            "photos": [upload("a.jpg", jpeg())],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Case.objects.count() == before + 1
    case = Case.objects.latest("pk")
    assert r["Location"] == detail(case)
    assert (
        case.channel == "window" and case.entered_by == w.users["sec_a"] and case.handling_area == w.village_a
    )
    assert CasePhoto.objects.filter(case=case).count() == 1
    page = client.get(detail(case)).content.decode()
    # the resident masked: never the full name or phone on the staff page either
    assert "赵六" not in page and "13912345678" not in page and case.phone_masked in page
    assert 'id="act-accept"' in page and 'id="act-dismiss"' in page

    assert client.post(act(case, "accept")).status_code == 302
    assert refresh(case).state == State.HANDLING
    # escalating needs a reason: the form again with the workflow's message, nothing moved
    r = client.post(act(case, "escalate"), {"reason": ""})
    assert r.status_code == 200 and "理由：必填" in r.content.decode()
    assert refresh(case).level == Level.VILLAGE
    assert client.post(act(case, "escalate"), {"reason": "需镇里协调"}).status_code == 302
    case = refresh(case)
    assert case.level == Level.TOWNSHIP and case.handling_area == w.town_a and case.state == State.RECEIVED

    login(w.users["township"])
    assert client.post(act(case, "accept")).status_code == 302
    page = client.get(detail(case)).content.decode()
    assert 'id="act-whistle"' in page and cw.dept.name in page
    r = client.post(act(case, "whistle"), {"departments": [cw.dept.pk], "note": "请住建局到场"})
    assert r.status_code == 302
    assert Whistle.objects.filter(case=case, department=cw.dept, reported_at__isnull=True).count() == 1

    # the department now sees it, waiting on its page and on its home page
    login(u["dept"])
    dept_page = client.get(reverse("cases_department")).content.decode()
    assert case.number in dept_page and "data-whistle=" in dept_page
    assert case.number in client.get("/").content.decode()
    page = client.get(detail(case)).content.decode()
    assert 'id="act-report_in"' in page
    assert client.post(act(case, "report_in"), {"note": "已到场"}).status_code == 302
    r = client.post(act(case, "resolve"), {"reply": "  "})
    assert r.status_code == 200 and "答复" in r.content.decode()
    assert refresh(case).state == State.HANDLING
    assert client.post(act(case, "resolve"), {"reply": "已修复路面。"}).status_code == 302
    case = refresh(case)
    assert case.state == State.RESOLVED and case.reply == "已修复路面。"
    # the other department was not called: the case is missing to it
    login(u["dept_other"])
    assert client.get(detail(case)).status_code == 404

    # the resident follows it with the number and the phone's last four digits, and rates it
    client.logout()
    r = client.post(reverse("public_case_track"), {"number": case.number, "tail": "5678"})
    text = r.content.decode()
    assert r.status_code == 200 and "已修复路面。" in text and 'id="rate-form"' in text
    assert "赵六" not in text and "13912345678" not in text
    r = client.post(
        reverse("public_case_rate"),
        {"number": case.number, "tail": "5678", "rating": "satisfied", "resolved": "yes", "comment": "很快"},
    )
    assert r.status_code == 200 and 'id="notice"' in r.content.decode()
    case = refresh(case)
    assert case.state == State.CLOSED and case.rating == "satisfied" and case.resolved_for_resident is True


def test_refusals_are_shown_on_the_form_and_store_nothing(cw, client, login):
    w = cw.w
    login(w.users["sec_a"])
    before = (Case.objects.count(), CasePhoto.objects.count())
    r = client.post(
        reverse("cases_new"),
        {
            "category": "",
            "channel": "window",
            "description": "",
            "area": w.village_a.pk,
            "name": "赵六",
            "phone": "123",
        },
    )
    text = r.content.decode()
    assert r.status_code == 200
    assert "诉求类别：必选" in text and "诉求内容：必填" in text and "联系电话" in text
    # a place outside the scope: refused on the form, as a missing one
    r = client.post(
        reverse("cases_new"),
        {
            "category": cw.category("road").pk,
            "channel": "window",
            "description": "路坏了",
            "area": w.village_b.pk,
            "name": "赵六",
            "phone": "13912345678",
        },
    )
    assert r.status_code == 200 and "不在您可以登记诉求的范围内" in r.content.decode()
    assert "三社区" not in r.content.decode()
    assert (Case.objects.count(), CasePhoto.objects.count()) == before


def test_a_wage_case_through_the_staff_form(cw, client, login):
    w = cw.w
    login(w.users["township"])
    data = {
        "category": cw.category("wage_arrears").pk,
        "channel": "hotline_12333",
        "description": "工地拖欠三个月工资。",
        "area": w.village_a.pk,
        "name": "赵六",
        "phone": "13912345678",
    }
    r = client.post(reverse("cases_new"), data)
    text = r.content.decode()
    assert r.status_code == 200 and "欠薪单位：必填" in text and '<details class="wage" open>' in text
    r = client.post(
        reverse("cases_new"),
        {**data, "wage_employer": "某建筑公司", "wage_workers": "12", "wage_amount": "86000"},
    )
    assert r.status_code == 302
    case = Case.objects.latest("pk")
    assert case.kind == Kind.WAGE and case.wage.amount == 86000 and not case.public


def test_a_village_handler_cannot_whistle_and_is_told_why(cw, client, login):
    w = cw.w
    case = cw.file("road")
    services.accept(actor=w.users["sec_a"], case=case)
    login(cw.users["handler_a"])
    page = client.get(detail(case)).content.decode()
    assert 'id="act-whistle"' not in page and 'data-step="whistle"' in page
    r = client.post(act(case, "whistle"), {"departments": [cw.dept.pk]})
    assert r.status_code == 200 and "吹哨：须由" in r.content.decode()
    assert not Whistle.objects.filter(case=case).exists()


def test_the_search_refuses_an_overlong_term_with_a_message(cw, client, login):
    cw.file("road")
    login(cw.w.users["sec_a"])
    r = client.get(reverse("cases_queue"), {"tab": "all", "q": "路" * 51})
    text = r.content.decode()
    assert r.status_code == 200 and "搜索词：最多50个字" in text and "data-case=" not in text
    case = cw.file("water", description="停水三天")
    r = client.get(reverse("cases_queue"), {"tab": "all", "q": case.number, "state": "open"})
    assert case.number in r.content.decode() and r.content.decode().count("data-case=") == 1


def test_photos_are_served_within_the_case_scope_only(cw, client, login):
    case = cw.file("road", photos=[upload("a.jpg", jpeg())])
    photo = CasePhoto.objects.get(case=case)
    url = reverse("cases_photo", kwargs={"case_photo_id": photo.pk})
    login(cw.w.users["sec_a"])
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg" and "no-store" in r["Cache-Control"]
    assert url in client.get(detail(case)).content.decode()
    login(cw.w.users["sec_b"])
    assert client.get(url).status_code == 404
    login(cw.users["dept"])
    assert client.get(url).status_code == 404


def test_dispute_mediator_and_agreement_through_the_page(cw, client, login):
    w, u = cw.w, cw.users
    case = cw.file("dispute_neighbour", severity="minor")
    assert refresh(case).mediator is not None  # the volunteer serving the village (1+1+N)
    login(u["volunteer"])
    assert case.number in client.get(reverse("cases_mediator")).content.decode()
    assert case.number in client.get("/").content.decode()
    page = client.get(detail(case)).content.decode()
    assert 'id="act-agreement"' in page
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    assert client.post(act(case, "agreement"), {"agreement_on": today}).status_code == 302
    assert refresh(case).agreement_on.isoformat() == today
    # the handler may hand it to the community judge serving the township
    login(w.users["sec_a"])
    judge = Mediator.objects.get(tier="judge", user=u["judge"])
    assert client.post(act(case, "mediator"), {"mediator": judge.pk}).status_code == 302
    assert refresh(case).mediator == judge


def test_court_pushes_and_records_the_outcome(cw, client, login):
    w, u = cw.w, cw.users
    login(u["court"])
    r = client.post(
        reverse("cases_court"),
        {
            "category": cw.category("court_assist").pk,
            "area": w.grid_a.pk,
            "court": "A县人民法院",
            "court_case_number": "(2026)湘0101执123号",
            "description": "查找被执行人下落及财产线索。",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    case = Case.objects.latest("pk")
    assert (
        case.kind == Kind.ENFORCEMENT and case.channel == "court" and case.enforcement.court == "A县人民法院"
    )
    assert case.number in client.get(reverse("cases_court")).content.decode()
    from django.utils import timezone

    login(u["court"])
    r = client.post(
        act(case, "court_outcome"),
        {
            "outcome": "executed",
            "outcome_on": timezone.localdate().isoformat(),
            "next": reverse("cases_court"),
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("cases_court")
    assert refresh(case).enforcement.outcome == "executed"
    # a resident's channel may not push one
    login(w.users["sec_a"])
    assert client.get(reverse("cases_court")).status_code == 404


# --- query counts ----------------------------------------------------------------------------------


def _many(cw, n: int) -> None:
    for i in range(n):
        cw.file("road" if i % 2 else "water", description=f"第{i}件事", photos=[])


@pytest.mark.parametrize(
    "url", ["/cases/?tab=mine", "/cases/?tab=all", "/cases/?tab=overdue", "/cases/?tab=all&state=open&q=第"]
)
def test_the_lists_do_not_query_per_row(cw, client, login, django_assert_max_num_queries, url):
    _many(cw, 3)
    login(cw.w.users["sec_a"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _many(cw, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_department_page_and_home_page_queries_stay_flat(cw, client, login, django_assert_max_num_queries):
    w, u = cw.w, cw.users
    for _ in range(2):
        case = cw.file("road", area=w.village_a)
        services.accept(actor=w.users["sec_a"], case=case)
        services.whistle(actor=w.users["sec_a"], case=refresh(case), department_ids=[cw.dept.pk])
    login(u["dept"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("cases_department"))
    assert page.status_code == 200 and 'data-figure="received">2<' in page.content.decode()
    for _ in range(4):
        case = cw.file("road", area=w.village_a)
        services.accept(actor=w.users["sec_a"], case=case)
        services.whistle(actor=w.users["sec_a"], case=refresh(case), department_ids=[cw.dept.pk])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("cases_department")).status_code == 200


def test_home_page_with_a_handlers_queue_stays_under_the_cap(
    cw, client, login, django_assert_max_num_queries
):
    _many(cw, 8)
    for user in ("sec_a", "county", "township"):
        login(cw.w.users[user])
        with django_assert_max_num_queries(80):
            page = client.get("/")
        assert page.status_code == 200
    login(cw.w.users["sec_a"])
    text = client.get("/").content.decode()
    assert 'data-section="cases"' in text and 'data-count="queue">8<' in text
    assert reverse("cases_new") in text


def test_place_lookup_is_scoped(cw, client, login):
    login(cw.w.users["sec_a"])
    r = client.get(reverse("cases_place_lookup"), {"q": "村"})
    text = r.content.decode()
    assert r.status_code == 200 and "一村" in text and "三社区" not in text
    assert client.get(reverse("cases_place_lookup"), {"q": "三社"}).content.decode().count("<option") <= 1
    assert client.get(reverse("cases_place_lookup"), {"q": "x" * 51}).status_code == 400
    login(cw.w.users["member"])
    assert client.get(reverse("cases_place_lookup"), {"q": "村"}).status_code == 404
    assert Area.objects.filter(name="三社区").exists()
