"""The county's setup (MANAGE_CASES): departments and their staff, mediators, legal advisers,
categories and Open311 client systems — the services' rules and refusals, and the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiceng.cases import selectors, services, setup
from jiceng.cases.models import Category, Department, DepartmentStaff, LegalAdviser, Mediator, Open311Client
from jiceng.core import audit, crypto
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry, RoleAssignment
from tests.factories import UserFactory


def url(name: str, *args, **query) -> str:
    base = reverse(name, args=args)
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- departments -------------------------------------------------------------------------------------


def test_department_rename_and_deactivate_take_its_stations(cw):
    c = cw.w.users["county"]
    station = setup.add_department(actor=c, area=cw.w.town_b, name="乙镇住建站", parent=cw.dept)
    with pytest.raises(DomainError) as exc:  # the county already has 民政局
        setup.rename_department(actor=c, department=cw.dept, name="民政局")
    assert "已有" in str(exc.value.errors["name"])
    setup.rename_department(actor=c, department=cw.dept, name="住房和城乡建设局（人防办）")
    assert Department.objects.get(pk=cw.dept.pk).name == "住房和城乡建设局（人防办）"

    setup.set_department_active(actor=c, department=cw.dept, active=False)
    assert not Department.objects.get(pk=station.pk).active  # the station goes with it
    assert cw.dept not in selectors.departments_for(c, cw.w.village_a)
    # its staff no longer see what it was whistled to
    assert selectors._department_paths(cw.users["dept"]) == []
    setup.set_department_active(actor=c, department=cw.dept, active=True)
    assert Department.objects.get(pk=cw.dept.pk).active and not Department.objects.get(pk=station.pk).active
    changes = [
        e.changes
        for e in AuditEntry.objects.filter(
            target_type="cases.department", action="update", target_id=str(cw.dept.pk)
        )
    ]
    assert {"active": [True, False]} in changes and {"active": [False, True]} in changes


def test_only_the_county_sets_up(cw):
    for user in ("township", "sec_a", "sec_b"):
        with pytest.raises(NotFound):
            setup.add_department(actor=cw.w.users[user], area=cw.w.county, name="新部门")
        with pytest.raises(NotFound):
            setup.rename_department(actor=cw.w.users[user], department=cw.dept, name="改名")


def test_removing_staff_takes_the_department_role_once_no_department_is_left(cw):
    c, u = cw.w.users["county"], cw.users["dept"]
    other = setup.add_department(actor=c, area=cw.w.county, name="水务局")
    setup.add_department_staff(actor=c, department=other, user=u)
    setup.remove_department_staff(actor=c, staff=DepartmentStaff.objects.get(department=cw.dept, user=u))
    assert RoleAssignment.objects.filter(user=u, role="department_handler").exists()  # still 水务局's
    setup.remove_department_staff(actor=c, staff=DepartmentStaff.objects.get(department=other, user=u))
    assert not RoleAssignment.objects.filter(user=u, role="department_handler").exists()
    assert AuditEntry.objects.filter(action="staff_remove", changes__staff=[u.username, None]).count() == 2


def test_departments_page_adds_a_station_and_staff(cw, login):
    w = cw.w
    client = login(w.users["county"])
    page = client.get(url("cases_setup_departments"))
    assert page.status_code == 200 and "住房和城乡建设局" in page.text and "甲镇司法所" in page.text
    r = client.post(
        url("cases_setup_departments"),
        {
            "action": "add",
            "name": "甲镇住建站",
            "code": "housing_station",
            "area": w.town_a.pk,
            "parent": cw.dept.pk,
        },
    )
    assert r.status_code == 302
    station = Department.objects.get(name="甲镇住建站")
    assert station.area == w.town_a and station.path.startswith(cw.dept.path) and station.depth == 2
    # a name left empty is said on the field, nothing is added
    r = client.post(url("cases_setup_departments"), {"action": "add", "name": "", "area": w.town_a.pk})
    assert r.status_code == 200 and 'data-field="name"' in r.text
    assert Department.objects.filter(name="").count() == 0

    newcomer = UserFactory(username="newcomer", display_name="新人")
    page = client.get(url("cases_setup_departments", department=station.pk, q="newco"))
    assert page.status_code == 200 and f'<option value="{newcomer.pk}"' in page.text
    r = client.post(
        url("cases_setup_departments", department=station.pk),
        {"action": "add_staff", "department": station.pk, "user": newcomer.pk},
    )
    assert r.status_code == 302 and DepartmentStaff.objects.filter(department=station, user=newcomer).exists()
    # a user of another county's tree (secretary B is in this county; a user with a role elsewhere is not)
    from tests.factories import AreaFactory, OrgFactory

    other_county = AreaFactory(parent=None, name="B县", kind="county")
    other_org = OrgFactory(parent=None, name="中共B县委员会", kind="committee", area=other_county)
    outsider = UserFactory(username="outsider", roles=[("county_admin", other_org)])
    page = client.get(url("cases_setup_departments", department=station.pk, q="outsider"))
    assert page.context["candidates"] == 0 and f'<option value="{outsider.pk}"' not in page.text
    r = client.post(
        url("cases_setup_departments", department=station.pk),
        {"action": "add_staff", "department": station.pk, "user": outsider.pk},
    )
    assert r.status_code == 200 and not DepartmentStaff.objects.filter(user=outsider).exists()


def test_setup_pages_are_the_county_administrators(cw, login):
    for user in ("township", "sec_a", "member"):
        client = login(cw.w.users[user])
        for name in (
            "cases_setup_departments",
            "cases_setup_mediators",
            "cases_setup_advisers",
            "cases_setup_categories",
            "cases_setup_clients",
        ):
            assert client.get(url(name)).status_code == 404, (user, name)
    # the index shows the routine part only to those who keep it
    page = login(cw.w.users["sec_a"]).get(url("cases_setup"))
    assert (
        page.status_code == 200 and 'id="routine-work"' in page.text and 'id="county-setup"' not in page.text
    )
    assert login(cw.w.users["member"]).get(url("cases_setup")).status_code == 404
    page = login(cw.w.users["county"]).get(url("cases_setup"))
    assert 'id="county-setup"' in page.text and 'id="routine-work"' in page.text


# --- mediators and legal advisers -------------------------------------------------------------------------


def test_a_retired_mediator_gets_no_new_disputes(cw, login):
    w = cw.w
    volunteer = Mediator.objects.get(user=cw.users["volunteer"])
    case = cw.file("dispute_neighbour", severity="minor")
    assert case.mediator == volunteer
    client = login(w.users["county"])
    r = client.post(url("cases_setup_mediators"), {"action": "retire", "mediator": volunteer.pk})
    assert r.status_code == 302 and not Mediator.objects.get(pk=volunteer.pk).active
    assert cw.file("dispute_neighbour", severity="minor").mediator is None
    page = client.get(url("cases_setup_mediators"))
    assert "调解志愿者" not in page.text.split('id="mediator-list"')[1].split("</ul>")[0]
    page = client.get(url("cases_setup_mediators", retired="on"))
    assert page.text.count('value="reinstate"') == 1


def test_mediator_page_adds_a_community_mediator(cw, login):
    w = cw.w
    helper = UserFactory(username="helper_m", display_name="社区调解员甲")
    client = login(w.users["county"])
    r = client.post(
        url("cases_setup_mediators"),
        {"action": "add", "area": w.village_a.pk, "tier": "community", "user": helper.pk},
    )
    assert r.status_code == 302
    m = Mediator.objects.get(user=helper)
    assert m.area == w.village_a and m.tier == "community"
    assert RoleAssignment.objects.filter(user=helper, role="mediator", org=w.branch_a).exists()
    assert cw.file("dispute_family").mediator == m


def test_legal_advisers_keep_the_phone_encrypted(cw, login):
    w, c = cw.w, cw.w.users["county"]
    with pytest.raises(DomainError) as exc:
        setup.add_legal_adviser(actor=c, area=w.town_a, name="钱律师", phone="123")
    assert set(exc.value.errors) == {"area", "phone"}
    adviser = setup.add_legal_adviser(
        actor=c, area=w.village_a, name="钱律师", firm="甲律师事务所", phone="13800138000"
    )
    assert adviser.phone_masked != "13800138000" and "13800138000" not in adviser.phone_ciphertext
    assert crypto.decrypt(adviser.phone_ciphertext, field="phone") == "13800138000"
    entry = AuditEntry.objects.get(target_type="cases.legaladviser", target_id=str(adviser.pk))
    assert "13800138000" not in str(entry.changes)
    with pytest.raises(DomainError):
        setup.add_legal_adviser(actor=c, area=w.village_a, name="钱律师")  # the same, serving twice
    with pytest.raises(NotFound):
        setup.add_legal_adviser(actor=w.users["sec_a"], area=w.village_a, name="孙律师")

    client = login(c)
    page = client.get(url("cases_setup_advisers"))
    assert page.status_code == 200 and "钱律师" in page.text
    without = page.text.split('id="without-adviser"')[1].split("</section>")[0]
    assert "二村" in without and "三社区" in without and "一村" not in without
    r = client.post(
        url("cases_setup_advisers"),
        {"action": "add", "area": w.village_b.pk, "name": "李律师", "phone": "010-12345678"},
    )
    assert r.status_code == 302 and LegalAdviser.objects.filter(area=w.village_b, name="李律师").exists()
    r = client.post(url("cases_setup_advisers"), {"action": "retire", "adviser": adviser.pk})
    assert r.status_code == 302 and not LegalAdviser.objects.get(pk=adviser.pk).active


# --- categories ----------------------------------------------------------------------------------------


def test_editing_a_default_makes_the_countys_copy(cw, login):
    w = cw.w
    client = login(w.users["county"])
    page = client.get(url("cases_setup_categories", q="路灯"))
    assert page.status_code == 200 and "路灯不亮" in page.text
    page = client.get(url("cases_setup_category", "street_light"))
    assert page.status_code == 200 and 'name="route_minor"' in page.text
    data = {
        "name": "路灯不亮（含景观灯）",
        "group": "基础设施",
        "description": "路灯、景观灯损坏",
        "route_minor": "1",
        "route_normal": "1",
        "route_serious": "2",
        "route_major": "3",
        "respond_hours": "12",
        "promise_workdays": "3",
        "documents": "",
        "public": "on",
        "active": "on",
    }
    r = client.post(url("cases_setup_category", "street_light"), data)
    assert r.status_code == 302, r.content[:500]
    copy = Category.objects.get(county=w.county, code="street_light")
    assert copy.routing == {"minor": 1, "normal": 1, "serious": 2, "major": 3} and copy.respond_hours == 12
    default = Category.objects.get(county__isnull=True, code="street_light")
    assert default.name == "路灯不亮" and default.respond_hours == 24  # the default is untouched
    in_force = services.categories_for(w.village_a)
    assert copy in in_force and default not in in_force
    entry = AuditEntry.objects.filter(target_type="cases.category").latest("pk")
    assert entry.changes["copy_of"] == [None, "street_light"] and entry.changes["respond_hours"] == [24, 12]
    # the list shows the copy once, as the county's own
    page = client.get(url("cases_setup_categories", q="路灯"))
    assert page.text.count("路灯不亮（含景观灯）") == 1 and page.text.count("路灯不亮<") == 0


def test_a_dispute_category_is_never_public(cw, login):
    client = login(cw.w.users["county"])
    page = client.get(url("cases_setup_category", "dispute_family"))
    assert 'name="public"' in page.text and "disabled" in page.text.split('name="public"')[1].split(">")[0]
    data = {
        "name": "婚姻家庭纠纷",
        "route_minor": "1",
        "route_normal": "1",
        "route_serious": "2",
        "route_major": "2",
        "respond_hours": "24",
        "promise_workdays": "15",
        "public": "on",
        "active": "on",
    }
    assert client.post(url("cases_setup_category", "dispute_family"), data).status_code == 302
    assert Category.objects.get(county=cw.w.county, code="dispute_family").public is False


def test_a_new_category_and_bad_values(cw, login):
    client = login(cw.w.users["county"])
    data = {
        "code": "dog_nuisance",
        "kind": "complaint",
        "name": "犬只扰民",
        "route_minor": "0",
        "route_normal": "1",
        "route_serious": "1",
        "route_major": "2",
        "respond_hours": "24",
        "promise_workdays": "5",
        "active": "on",
    }
    assert client.post(url("cases_setup_category_new"), data).status_code == 302
    assert Category.objects.get(county=cw.w.county, code="dog_nuisance").kind == "complaint"
    r = client.post(url("cases_setup_category_new"), {**data, "code": "road"})  # a default's code
    assert r.status_code == 200 and 'data-field="code"' in r.text
    r = client.post(url("cases_setup_category_new"), {**data, "code": "x y", "respond_hours": "0"})
    assert r.status_code == 200 and 'data-field="respond_hours"' in r.text
    assert client.get(url("cases_setup_category", "no_such_code")).status_code == 404


# --- Open311 client systems ----------------------------------------------------------------------------------


def test_a_key_is_shown_once_and_revoked(cw, login):
    client = login(cw.w.users["county"])
    r = client.post(
        url("cases_setup_clients"), {"action": "issue", "name": "市12345平台", "channel": "hotline_12345"}
    )
    assert r.status_code == 200 and 'id="key-warning"' in r.text
    key = r.context["key"]
    assert key.startswith(setup.KEY_PREFIX) and key in r.text and "no-store" in r.get("Cache-Control", "")
    found = setup.client_for_key(key)
    assert found is not None and found.name == "市12345平台"
    page = client.get(url("cases_setup_clients"))
    assert key not in page.text and "市12345平台" in page.text
    assert Open311Client.objects.get(pk=found.pk).last_used_at is not None
    r = client.post(url("cases_setup_clients"), {"action": "revoke", "client": found.pk})
    assert r.status_code == 302 and setup.client_for_key(key) is None
    assert Open311Client.objects.get(pk=found.pk).revoked_at is not None
    # a name with a control character is refused on the field
    r = client.post(
        url("cases_setup_clients"), {"action": "issue", "name": "平台\x07", "channel": "hotline_12345"}
    )
    assert r.status_code == 200 and 'data-field="name"' in r.text


def test_every_setup_write_is_audited_with_a_declared_label(cw, login):
    """What the tests above do, once more in one place: each audit action has its label."""
    w, c = cw.w, cw.w.users["county"]
    dep = setup.add_department(actor=c, area=w.county, name="应急管理局")
    setup.rename_department(actor=c, department=dep, name="应急管理局（地震局）")
    setup.set_department_active(actor=c, department=dep, active=False)
    setup.remove_department_staff(actor=c, staff=DepartmentStaff.objects.get(user=cw.users["dept"]))
    setup.set_mediator_active(actor=c, mediator=Mediator.objects.get(user=cw.users["judge"]), active=False)
    a = setup.add_legal_adviser(actor=c, area=w.village_a2, name="周律师")
    setup.set_legal_adviser_active(actor=c, adviser=a, active=False)
    client, _key = setup.issue_client(actor=c, county=w.county, name="微信平台", channel="wechat")
    setup.revoke_client(actor=c, client=client)
    labels = audit.action_labels()
    assert {e.action for e in AuditEntry.objects.all()} <= set(labels)
    fields = set(audit.field_labels())
    for e in AuditEntry.objects.filter(target_type__startswith="cases."):
        for name in e.changes:
            assert name in fields or name in {f.name for f in _fields(e.target_type)}, (e.action, name)


def _fields(target_type: str):
    from django.apps import apps

    app, _dot, model = target_type.partition(".")
    return [f for m in apps.get_app_config(app).get_models() for f in m._meta.get_fields()]
