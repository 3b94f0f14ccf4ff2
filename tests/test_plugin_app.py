"""An app plugs in with nothing but its line in INSTALLED_APPS: the test app in tests/plugin_app
declares a permission and a role, a rule, audit labels, a panel and a headline, a menu entry, a page,
a public page, an API router, a ledger, a workflow, a job kind, demo and generator steps and its
authorisation cases, and each appears where it belongs — and disappears with the app."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from jiceng.core import audit, indicators, jobs, kit, ledgers, workflows
from jiceng.core import services as core
from jiceng.core.models import AuditEntry, HolidayOverride
from jiceng.core.rulepacks import default_rules
from jiceng.core.services import api_token_create

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def installed():
    with override_settings(
        INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.plugin_app"],
        ROOT_URLCONF="tests.plugin_app.root_urls",
    ):
        yield


def test_without_its_line_the_app_is_nowhere(world, client, login):
    c = login(world.users["county"])
    assert c.get("/wells/").status_code == 404 and c.get("/public/wells/3/").status_code == 404
    assert (
        'href="/wells/"' not in c.get(reverse("dashboard")).text
        and "水井" not in c.get(reverse("dashboard")).text
    )
    assert not any("/wells" in path for path in c.get("/api/openapi.json").json()["paths"])
    home = c.get(reverse("home")).text
    assert "待修水井" not in home and "水井数" not in home
    assert "水井台账" not in c.get(reverse("ledger_list")).text
    assert "plugin_app" not in [p.label for p in kit.plugins()]
    assert "see_wells" not in kit.permissions() and "plugin_app.wells_per_village" not in default_rules()
    assert (
        "plugin_app.well_count" not in indicators.registry() and "plugin_app.wells" not in ledgers.registry()
    )
    assert "plugin_app.well" not in workflows.templates() and "plugin_app.count_wells" not in jobs.kinds()


def test_with_its_line_it_appears_everywhere(installed, world, client, login):
    # declarations the platform adds up
    assert "plugin_app" in [p.label for p in kit.plugins()]
    assert kit.role_perms()["county_admin"] >= {"see_wells"} and "see_wells" not in kit.role_perms()["member"]
    assert kit.role_perms()["well_keeper"] == frozenset({"view_org", "see_wells"})
    assert default_rules()["plugin_app.wells_per_village"].value == 2
    assert (
        audit.action_labels()["well_dug"] == "打了一口井" and audit.field_labels()["depth_m"] == "井深（米）"
    )
    # its steps run in their order among the others': after the tree, the people and their meetings
    assert [f"{f.__module__}.{f.__name__}" for f in kit.steps("demo")][-1] == "tests.plugin_app.demo.build"
    assert any(m.__name__ == "tests.plugin_app.authz" for m in kit.authz_modules())

    c = login(world.users["county"])
    # its rule is on the rule page, and an override must pass its validator
    assert 'id="rule-plugin_app.wells_per_village"' in c.get(reverse("rule_list")).text
    with pytest.raises(core.DomainError, match="非负整数"):
        core.rule_override_set(
            actor=world.users["county"],
            org=world.county_org,
            key="plugin_app.wells_per_village",
            value=-1,
            valid_from=world.county_org.established_on or __import__("datetime").date(2000, 1, 1),
            reason="x",
        )
    # its panel and headline on the dashboard, its indicators in the API
    dashboard = c.get(reverse("dashboard")).text
    assert "水井分布" in dashboard and "水井数" in dashboard
    # its menu entry and page, for those who hold its permission
    assert 'href="/wells/"' in dashboard and "水井一览" in c.get("/wells/").text
    assert 'href="/wells/"' not in login(world.users["sec_a"]).get(reverse("dashboard")).text
    # its home section for the roles it names, and its figure in the child-unit table
    c = login(world.users["county"])
    home = c.get(reverse("home"))
    assert "3号井待清淤" in home.text and "plugin_app.well_count" in kit.compared()
    board = next(s for s in home.context["sections"] if s.key == "board").context
    assert "plugin_app.well_count" in [col["name"] for col in board["columns"]]
    assert "待修水井" not in login(world.users["sec_a"]).get(reverse("home")).text
    assert login(world.users["sec_a"]).get("/wells/").status_code == 404
    # its public page, without an account
    client.logout()
    assert (
        "3号井" in client.get("/public/wells/3/").text and client.get("/public/wells/300/").status_code == 404
    )
    # its API router
    _t, token = api_token_create(actor=world.users["county"], name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/wells/ping", **auth).json() == {"wells": "ok"}
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/wells/ping" in schema["paths"]
    assert "plugin_app.well_count" in {i["name"] for i in client.get("/api/v1/indicators", **auth).json()}
    # its ledger, listed and exported
    c = login(world.users["county"])
    assert "水井台账" in c.get(reverse("ledger_list")).text
    r = c.get(reverse("ledger_detail", kwargs={"key": "plugin_app.wells"}), {"format": "csv"})
    assert r.status_code == 200 and "中共A县委员会_w" in b"".join(r.streaming_content).decode()
    # its workflow, shown and run by the engine
    assert "打井审批" in c.get(reverse("workflow_list")).text
    instance = workflows.start(key="plugin_app.well", org=world.branch_a, target=world.branch_a)
    workflows.transition(
        actor=world.users["county"], instance=instance, action="dig", audit_action="well_dug"
    )
    assert instance.state == "dug" and AuditEntry.objects.filter(action="well_dug").exists()
    assert "打了一口井" in c.get(reverse("audit_list")).text
    # its job kind, run by the worker's code
    job = jobs.start(actor=world.users["county"], kind="plugin_app.count_wells", org=world.county_org)
    assert jobs.execute(str(job.pk)) == "succeeded"


def test_its_demo_and_generator_steps_run_with_the_rest(tmp_path, db):
    """``jiceng demo`` and ``jiceng gen`` with the plugin's settings: its steps run after the others."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST",)}
    for name, args in (("demo", ["demo", "--as-of", "2026-11-01"]), ("gen", ["gen", "--scale", "village"])):
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "tests.plugin_app.settings",
                "PYTHONPATH": str(ROOT),
                "JICENG_VAR_DIR": str(tmp_path / name),
                "DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite3",
            }
        )
        res = subprocess.run(
            [sys.executable, "-m", "jiceng.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert res.returncode == 0, res.stderr[-2000:]
        assert ("示例水井" if name == "demo" else "'wells': 1") in res.stdout, res.stdout[-500:]
        with sqlite3.connect(tmp_path / f"{name}.sqlite3") as made:  # what the step wrote, and the rest
            wrote = made.execute(
                "SELECT name FROM core_holidayoverride WHERE name LIKE '插件示例%'"
            ).fetchall()
            members = made.execute("SELECT COUNT(*) FROM people_partymember").fetchone()[0]
        assert len(wrote) == 1 and members > 0, (wrote, members)
    assert not HolidayOverride.objects.filter(name__startswith="插件示例").exists()  # not in the suite's
