import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from jiceng.core import services
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import ApiToken, AuditEntry, Org, RoleAssignment, RuleOverride
from jiceng.core.rulepacks import rule


def test_org_create_unknown_kind_names_field_and_stores_nothing(world):
    before = Org.objects.count()
    with pytest.raises(DomainError) as exc:
        services.org_create(actor=world.users["county"], parent=world.town_a_org, name="x", kind="cell")
    assert "kind" in exc.value.errors
    assert "组织类型" in exc.value.errors["kind"][0]
    assert Org.objects.count() == before


def test_org_create_refuses_kind_not_allowed_under_parent(world):
    with pytest.raises(DomainError) as exc:
        services.org_create(actor=world.users["county"], parent=world.group_a, name="x", kind="branch")
    assert "党小组下不能设党支部" in exc.value.errors["kind"][0] or "kind" in exc.value.errors


def test_org_create_outside_scope_is_not_found(world):
    with pytest.raises(NotFound):
        services.org_create(actor=world.users["sec_a"], parent=world.branch_b, name="x", kind="group")


def test_org_create_audited_and_tree_consistent(world):
    org = services.org_create(
        actor=world.users["township"],
        parent=world.branch_a,
        name="第2党小组",
        kind="group",
        area=world.grid_a,
    )
    entry = AuditEntry.objects.get(target_type="core.org", target_id=str(org.pk))
    assert entry.action == "create" and entry.actor == world.users["township"]
    assert entry.org_path == org.path and org.path.startswith(world.branch_a.path)
    assert Org.objects.find_problems() == ([], [], [], [], [])


def test_role_grant_refuses_escalation(world):
    # a township officer lacks manage_rules, so it cannot hand out county_admin
    with pytest.raises(DomainError) as exc:
        services.role_grant(
            actor=world.users["township"], user=world.users["nobody"], role="county_admin", org=world.branch_a
        )
    assert "role" in exc.value.errors
    assert not RoleAssignment.objects.filter(user=world.users["nobody"]).exists()
    grant = services.role_grant(
        actor=world.users["township"],
        user=world.users["nobody"],
        role="branch_secretary",
        org=world.branch_a2,
    )
    assert AuditEntry.objects.filter(action="grant", target_id=str(grant.pk)).exists()


def test_audit_log_is_append_only_in_the_database(world):
    entry = AuditEntry.objects.filter(actor=world.users["county"]).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.action == "create"


def test_api_token_lifecycle(world):
    user = world.users["sec_a"]
    token, plaintext = services.api_token_create(actor=user, name="统计脚本", expires_days=30)
    assert plaintext.startswith("jc_") and plaintext not in token.digest
    assert services.api_token_authenticate(plaintext) == user
    assert services.api_token_authenticate(plaintext + "x") is None
    services.api_token_revoke(actor=user, token_id=token.pk)
    assert services.api_token_authenticate(plaintext) is None
    with pytest.raises(NotFound):  # another user's token cannot be revoked by id
        services.api_token_revoke(actor=world.users["sec_b"], token_id=token.pk)
    assert (
        AuditEntry.objects.filter(
            action__in=["token_create", "token_revoke"], target_id=str(token.pk)
        ).count()
        == 2
    )


def test_api_token_expired(world):
    token, plaintext = services.api_token_create(actor=world.users["sec_a"], name="t", expires_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert services.api_token_authenticate(plaintext) is None


def test_api_token_validation(world):
    with pytest.raises(DomainError) as exc:
        services.api_token_create(actor=world.users["sec_a"], name=" ")
    assert "name" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        services.api_token_create(actor=world.users["sec_a"], name="t", expires_days=0)
    assert "expires_days" in exc.value.errors


def test_rule_override_applies_to_subtree_only(world):
    county = world.users["county"]
    assert rule("grading.bottom_share", world.branch_a) == 0.10
    services.rule_override_set(
        actor=county,
        org=world.town_a_org,
        key="grading.bottom_share",
        value=0.15,
        valid_from=dt.date(2020, 1, 1),
        reason="县委文件",
    )
    assert rule("grading.bottom_share", world.branch_a) == 0.15
    assert rule("grading.bottom_share", world.branch_b) == 0.10
    # a future-dated override does not apply yet
    services.rule_override_set(
        actor=county,
        org=world.town_a_org,
        key="grading.bottom_share",
        value=0.2,
        valid_from=dt.date(2099, 1, 1),
        reason="将来",
    )
    assert rule("grading.bottom_share", world.branch_a) == 0.15
    assert AuditEntry.objects.filter(action="rule_override").count() >= 2


@pytest.mark.parametrize(
    "key,value,field_text",
    [
        (
            "people.age_bands",
            [{"key": "a", "label": "a", "max": 35}, {"key": "b", "label": "b", "min": 35}],
            "不重叠",
        ),
        (
            "people.age_bands",
            [{"key": "a", "label": "a", "min": 18, "max": 35}, {"key": "b", "label": "b", "min": 36}],
            "无下限",
        ),
        ("people.age_bands", [{"key": "a", "max": 35}, {"key": "b", "min": 36}], "key 和 label"),
        ("people.education_bands", [{"key": "x", "label": "x", "levels": ["bachelor"]}], "覆盖全部学历"),
        ("orglife.silent_months_weak", -1, "正整数"),
        ("orglife.silent_months_weak", 0, "正整数"),  # "silent" since today: every branch
        ("orglife.often_absent_consecutive", 0, "正整数"),
        ("orglife.often_absent_consecutive", True, "正整数"),
        ("people.member_org_kinds", ["cell"], "组织类型"),
        ("grading.bottom_share", 10, "0到1之间"),  # 10 meant as 10%: every unit lagging
        (
            "grading.weights",
            {"compliance": "40", "participation": 30, "education": 20, "committee": 10},
            "权重",
        ),
        (
            "grading.weights",
            {"compliance": True, "participation": 69, "education": 20, "committee": 10},
            "权重",
        ),
        ("grading.schemes", {"abc": ["a", "b"]}, "至少含"),
        ("grading.schemes", {"abc": ["a", "b"], "four_level": [], "five_star": []}, "key 和 label"),
        (
            "grading.schemes",
            {
                name: [
                    {"key": "A", "label": "甲", "min_score": 60},
                    {"key": "A", "label": "乙", "min_score": 0},
                ]
                for name in ("abc", "four_level", "five_star")
            },
            "不能重复",
        ),
        (
            "grading.schemes",
            {
                name: [
                    {"key": "A", "label": "甲", "min_score": None},
                    {"key": "B", "label": "乙", "min_score": 0},
                ]
                for name in ("abc", "four_level", "five_star")
            },
            "分数线",
        ),
        (
            "people.age_bands",
            [{"key": "a", "label": "a", "max": 35.5}, {"key": "b", "label": "b", "min": 36.5}],
            "整数",
        ),
        (
            "people.age_bands",
            [{"key": "a", "label": "a", "max": "35"}, {"key": "b", "label": "b", "min": 36}],
            "整数",
        ),
        ("people.age_bands", 5, "年龄段"),
    ],
)
def test_rule_override_bad_value_refused(world, key, value, field_text):
    with pytest.raises(DomainError) as exc:
        services.rule_override_set(
            actor=world.users["county"],
            org=world.county_org,
            key=key,
            value=value,
            valid_from=dt.date(2020, 1, 1),
            reason="test",
        )
    assert field_text in exc.value.errors["value"][0]
    assert not RuleOverride.objects.filter(key=key).exists()


def test_rule_override_needs_reason_and_right(world):
    with pytest.raises(DomainError) as exc:
        services.rule_override_set(
            actor=world.users["county"],
            org=world.county_org,
            key="grading.bottom_share",
            value=0.2,
            valid_from=dt.date(2020, 1, 1),
            reason="",
        )
    assert "reason" in exc.value.errors
    with pytest.raises(NotFound):  # township officers do not own the rule pack
        services.rule_override_set(
            actor=world.users["township"],
            org=world.town_a_org,
            key="grading.bottom_share",
            value=0.2,
            valid_from=dt.date(2020, 1, 1),
            reason="x",
        )


def test_user_create_validates(world):
    with pytest.raises(DomainError) as exc:
        services.user_create(actor=None, username=world.users["sec_a"].username, password="123")
    assert set(exc.value.errors) == {"username", "password"}


def test_breakdown_with_a_part_named_twice_is_refused(world):
    """A band table stored behind the validator's back (raw ORM) with a key twice makes the
    indicator refuse to print rather than show two rows under one name."""
    from jiceng.core import indicators
    from jiceng.core.indicators import ConsistencyError
    from jiceng.core.periods import parse_period

    RuleOverride.objects.create(
        org=world.county_org,
        key="people.age_bands",
        valid_from=dt.date(2000, 1, 1),
        reason="x",
        value=[{"key": "le35", "label": "≤35", "max": 35}, {"key": "le35", "label": "dup", "min": 36}],
    )
    with pytest.raises(ConsistencyError):
        indicators.compute(
            actor=world.users["county"],
            name="people.age_bands",
            org=world.county_org,
            period=parse_period("2026"),
        )


def test_user_create_needs_user_management_right(world):
    with pytest.raises(NotFound):
        services.user_create(actor=world.users["sec_a"], username="x1", password="Long-enough-pass-1")
    u = services.user_create(actor=world.users["township"], username="x2", password="Long-enough-pass-1")
    assert (
        AuditEntry.objects.get(target_type="core.user", target_id=str(u.pk)).org_path == world.town_a_org.path
    )


def test_area_create_is_visible_in_the_audit_log(world):
    area = services.area_create(
        actor=world.users["township"], parent=world.village_a, name="一村第2网格", kind="grid"
    )
    entry = AuditEntry.objects.get(target_type="core.area", target_id=str(area.pk))
    assert entry.org_path == world.branch_a.path  # the village's organisation


def test_client_ip_behind_trusted_proxy(rf, settings):
    from jiceng.core.middleware import client_ip

    req = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="127.0.0.1")
    settings.JICENG_PROXY_COUNT = 0
    assert client_ip(req) == "127.0.0.1"  # no proxy configured: a client cannot spoof its address
    settings.JICENG_PROXY_COUNT = 1
    assert client_ip(req) == "10.1.2.3"


def test_resolve_all_agrees_with_resolve_rule_by_rule(world):
    """The rule page reads every rule from one query (rulepacks.resolve_all): the same answers as
    resolve, key by key — the nearest organisation's override, its latest start, else the default."""
    from jiceng.core.rulepacks import resolve, resolve_all

    county = world.users["county"]
    for org, value, since in (
        (world.county_org, 0.12, dt.date(2020, 1, 1)),
        (world.town_a_org, 0.15, dt.date(2021, 1, 1)),
        (world.town_a_org, 0.18, dt.date(2022, 1, 1)),
    ):
        services.rule_override_set(
            actor=county,
            org=org,
            key="grading.bottom_share",
            value=value,
            valid_from=since,
            reason="县委文件",
        )
    for org in (world.branch_a, world.branch_b, world.county_org):
        got = resolve_all(org)
        assert got == {key: resolve(key, org) for key in got}
    assert resolve_all(world.branch_a)["grading.bottom_share"] == (0.18, world.town_a_org.name)
    assert resolve_all(world.branch_b)["grading.bottom_share"] == (0.12, world.county_org.name)
