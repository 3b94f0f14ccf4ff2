import datetime as dt

import pytest

from jiceng.core import crypto
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.people import services
from jiceng.people.models import CadrePost, PartyMember, Person
from tests.world import make_id

BIRTH = dt.date(1988, 3, 9)


def base(world, **over):
    data = dict(
        name="赵六",
        gender="male",
        ethnicity="汉族",
        id_number=make_id(BIRTH, True, 77),
        phone="13912340000",
        education="college",
        org=world.branch_a,
        status="full",
        joined_on=dt.date(2012, 7, 1),
        full_on=dt.date(2013, 7, 1),
    )
    data.update(over)
    return data


def test_member_create_encrypts_masks_and_audits(world):
    m = services.member_create(actor=world.users["sec_a"], **base(world))
    p = m.person
    assert p.birth_date == BIRTH  # taken from the ID number
    assert p.id_number_masked == make_id(BIRTH, True, 77)[:6] + "********" + make_id(BIRTH, True, 77)[-4:]
    assert make_id(BIRTH, True, 77) not in p.id_number_ciphertext
    assert p.phone_masked == "139****0000"
    entry = AuditEntry.objects.get(target_type="people.partymember", target_id=str(m.pk), action="create")
    assert entry.changes["phone"] == [None, "139****0000"]
    assert "13912340000" not in str(entry.changes)  # the log never holds the full number


@pytest.mark.parametrize(
    "over,field,text",
    [
        (
            {
                "id_number": make_id(BIRTH, True, 77)[:17]
                + ("1" if make_id(BIRTH, True, 77)[17] != "1" else "2")
            },
            "id_number",
            "校验码",
        ),
        ({"id_number": "43072419880309077"}, "id_number", "18位"),
        ({"id_number": "990724198803090770"}, "id_number", "省级行政区划"),
        ({"birth_date": dt.date(1988, 3, 10)}, "birth_date", "不一致"),
        ({"gender": "female"}, "gender", "第17位"),
        ({"name": ""}, "name", "必填"),
        ({"ethnicity": "火星族"}, "ethnicity", "56个民族"),
        ({"phone": "12345"}, "phone", "手机号"),
        ({"status": "full", "full_on": None}, "full_on", "正式党员必须填写"),
        ({"full_on": dt.date(2012, 12, 1)}, "full_on", "预备期"),
        ({"status": "probationary"}, "full_on", "尚未转正"),
        ({"joined_on": dt.date(2004, 1, 1)}, "joined_on", "年满18周岁"),
        ({"joined_on": dt.date(2099, 1, 1)}, "joined_on", "不能晚于今天"),
        ({"mobility": "outflow", "mobility_note": ""}, "mobility_note", "去向"),
        ({"education": "phd"}, "education", "未知学历"),
    ],
)
def test_member_create_bad_input_names_field_and_stores_nothing(world, over, field, text):
    persons, members, audits = Person.objects.count(), PartyMember.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        services.member_create(actor=world.users["sec_a"], **base(world, **over))
    assert field in exc.value.errors, exc.value.errors
    assert any(text in m for m in exc.value.errors[field]), exc.value.errors[field]
    assert (Person.objects.count(), PartyMember.objects.count(), AuditEntry.objects.count()) == (
        persons,
        members,
        audits,
    )


def test_member_in_org_outside_scope_is_refused_with_field_message(world):
    with pytest.raises(DomainError) as exc:
        services.member_create(actor=world.users["sec_a"], **base(world, org=world.branch_b))
    assert "管辖范围" in exc.value.errors["org"][0]


def test_member_in_committee_is_refused(world):
    with pytest.raises(DomainError) as exc:
        services.member_create(actor=world.users["county"], **base(world, org=world.town_a_org))
    assert "支部工作条例" in exc.value.errors["org"][0]


def test_all_errors_reported_at_once(world):
    with pytest.raises(DomainError) as exc:
        services.member_create(actor=world.users["sec_a"], **base(world, name="", phone="1", id_number="1"))
    assert {"name", "phone", "id_number"} <= set(exc.value.errors)


def test_duplicate_id_number_refused(world):
    services.member_create(actor=world.users["sec_a"], **base(world))
    with pytest.raises(DomainError) as exc:
        services.member_create(actor=world.users["sec_a"], **base(world, name="另一人"))
    assert "已登记" in exc.value.errors["id_number"][0]


def test_member_update_diff_is_audited_and_masked(world):
    m = world.member_a
    services.member_update(actor=world.users["sec_a"], member=m, phone="13700001111", education="bachelor")
    m.refresh_from_db()
    assert m.person.phone_masked == "137****1111"
    assert crypto.decrypt(m.person.phone_ciphertext, field="phone") == "13700001111"
    entry = AuditEntry.objects.filter(target_id=str(m.pk), action="update").latest("id")
    assert entry.changes == {
        "phone": ["138****0001", "137****1111"],
        "education": ["high_school", "bachelor"],
    }
    assert entry.actor == world.users["sec_a"]


def test_member_update_rejected_leaves_record_as_it_was(world):
    m = world.member_a
    before = (m.person.name, m.person.phone_ciphertext, m.person.birth_date, m.org_id)
    with pytest.raises(DomainError) as exc:
        services.member_update(
            actor=world.users["sec_a"], member=m, name="改名", birth_date=dt.date(1971, 1, 1)
        )
    assert "birth_date" in exc.value.errors
    m.refresh_from_db()
    m.person.refresh_from_db()
    assert (m.person.name, m.person.phone_ciphertext, m.person.birth_date, m.org_id) == before


def test_member_update_move_outside_scope_refused(world):
    with pytest.raises(DomainError) as exc:
        services.member_update(actor=world.users["sec_a"], member=world.member_a, org=world.branch_b)
    assert "org" in exc.value.errors
    with pytest.raises(NotFound):
        services.member_update(actor=world.users["sec_a"], member=world.member_b, name="x")
    with pytest.raises(NotFound):  # grid workers read but do not write
        services.member_update(actor=world.users["grid_a"], member=world.member_a_grid, name="x")


def test_member_update_unknown_field_refused(world):
    with pytest.raises(DomainError):
        services.member_update(actor=world.users["sec_a"], member=world.member_a, user=None)


def test_reveal_is_logged_and_needs_role(world):
    value = services.person_reveal(actor=world.users["sec_a"], member=world.member_a, field="id_number")
    assert value == make_id(dt.date(1970, 5, 17), True, 1)
    assert AuditEntry.objects.filter(
        action="reveal", target_id=str(world.member_a.pk), actor=world.users["sec_a"]
    ).exists()
    with pytest.raises(NotFound):
        services.person_reveal(actor=world.users["grid_a"], member=world.member_a_grid, field="phone")
    with pytest.raises(NotFound):
        services.person_reveal(actor=world.users["sec_b"], member=world.member_a, field="phone")


def test_cadre_posts_rules(world):
    c = world.users["county"]
    p = world.member_a.person
    services.cadre_post_create(
        actor=c,
        area=world.village_a,
        committee="party",
        post="secretary",
        person=p,
        term_from=dt.date(2021, 6, 1),
    )
    with pytest.raises(DomainError) as exc:  # one secretary at a time
        services.cadre_post_create(
            actor=c,
            area=world.village_a,
            committee="party",
            post="secretary",
            person=world.member_a_grid.person,
            term_from=dt.date(2022, 1, 1),
        )
    assert "已有" in exc.value.errors["post"][0]
    with pytest.raises(DomainError) as exc:  # a community has a residents' committee
        services.cadre_post_create(
            actor=c,
            area=world.village_b,
            committee="villagers",
            post="chair",
            person=p,
            term_from=dt.date(2021, 6, 1),
        )
    assert "居民委员会" in exc.value.errors["committee"][0]
    with pytest.raises(DomainError) as exc:
        services.cadre_post_create(
            actor=c,
            area=world.village_a,
            committee="villagers",
            post="secretary",
            person=p,
            term_from=dt.date(2021, 6, 1),
        )
    assert "post" in exc.value.errors
    outsider = Person.objects.create(name="群众甲", gender="male", area=world.village_a)
    with pytest.raises(DomainError) as exc:
        services.cadre_post_create(
            actor=c,
            area=world.village_a,
            committee="party",
            post="member",
            person=outsider,
            term_from=dt.date(2021, 6, 1),
        )
    assert "必须是任期开始时已入党的党员" in exc.value.errors["person"][0]
    with pytest.raises(NotFound):
        services.cadre_post_create(
            actor=world.users["sec_a"],
            area=world.village_b,
            committee="residents",
            post="member",
            person=outsider,
            term_from=dt.date(2021, 6, 1),
        )
    assert CadrePost.objects.filter(area=world.village_a).count() == 1


def test_post_end_cannot_stretch_over_successor(world):
    c = world.users["county"]
    old = services.cadre_post_create(
        actor=c,
        area=world.village_a,
        committee="party",
        post="secretary",
        person=world.member_a.person,
        term_from=dt.date(2021, 6, 1),
    )
    services.cadre_post_end(actor=c, post=old, term_to=dt.date(2024, 1, 1))
    services.cadre_post_create(
        actor=c,
        area=world.village_a,
        committee="party",
        post="secretary",
        person=world.member_a_grid.person,
        term_from=dt.date(2024, 1, 2),
    )
    with pytest.raises(DomainError) as exc:
        services.cadre_post_end(actor=c, post=old, term_to=dt.date(2026, 1, 1))
    assert "重叠" in exc.value.errors["term_to"][0]
    old.refresh_from_db()
    assert old.term_to == dt.date(2024, 1, 1)


def test_post_needs_membership_at_term_start_and_one_seat_per_committee(world):
    c = world.users["county"]
    with pytest.raises(DomainError) as exc:  # 张三 joined in 2020
        services.cadre_post_create(
            actor=c,
            area=world.village_a,
            committee="party",
            post="member",
            person=world.member_a.person,
            term_from=dt.date(2010, 1, 1),
        )
    assert "任期开始时已入党" in exc.value.errors["person"][0]
    services.cadre_post_create(
        actor=c,
        area=world.village_a,
        committee="party",
        post="member",
        person=world.member_a.person,
        term_from=dt.date(2021, 6, 1),
    )
    with pytest.raises(DomainError) as exc:
        services.cadre_post_create(
            actor=c,
            area=world.village_a,
            committee="party",
            post="deputy_secretary",
            person=world.member_a.person,
            term_from=dt.date(2022, 1, 1),
        )
    assert "已在" in exc.value.errors["person"][0]


def test_post_person_must_be_in_scope(world):
    with pytest.raises(DomainError) as exc:  # 王五 lives in the other township
        services.cadre_post_create(
            actor=world.users["sec_a"],
            area=world.village_a,
            committee="villagers",
            post="member",
            person=world.member_b.person,
            term_from=dt.date(2021, 6, 1),
        )
    assert "管辖范围" in exc.value.errors["person"][0]


def test_move_across_townships_is_a_transfer_not_an_edit(world):
    with pytest.raises(DomainError) as exc:
        services.member_update(actor=world.users["county"], member=world.member_a, org=world.branch_b)
    assert "组织关系转接" in exc.value.errors["org"][0]
    # inside the township it is an edit, logged where the member left and where they arrived
    services.member_update(actor=world.users["county"], member=world.member_a, org=world.branch_a2)
    paths = set(
        AuditEntry.objects.filter(target_id=str(world.member_a.pk), action="update").values_list(
            "org_path", flat=True
        )
    )
    assert {world.branch_a.path, world.branch_a2.path} <= paths


def test_birth_date_cannot_be_cleared_while_id_number_is_stored(world):
    services.member_update(actor=world.users["sec_a"], member=world.member_a, birth_date=None)
    world.member_a.person.refresh_from_db()
    assert world.member_a.person.birth_date == dt.date(1970, 5, 17)
