import json

import pytest
from stdnum.cn import ric

from jiceng import cli
from jiceng.core import crypto
from jiceng.core.demo import DemoRefused, load_demo
from jiceng.people.models import Person
from jiceng.people.validators import parse_id_number


def test_healthz(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["database"] in ("sqlite", "postgresql")


def test_demo_refuses_when_data_exists(demo_county):
    with pytest.raises(DemoRefused) as exc:
        load_demo(seed=1, villages=2, members=20)
    assert "空库" in str(exc.value)


def test_demo_cli_if_empty_is_polite(demo_county, capsys):
    assert cli.main(["demo", "--if-empty"]) == 0
    assert cli.main(["demo"]) == 1
    assert "空库" in capsys.readouterr().err


def test_demo_id_numbers_pass_our_own_validation(demo_county):
    sample = Person.objects.exclude(id_number_ciphertext="").order_by("pk")[:200]
    for p in sample:
        number = crypto.decrypt(p.id_number_ciphertext, field="id_number")
        info, msg = parse_id_number(number)
        assert msg is None, (number, msg)
        assert info.birth_date == p.birth_date and info.gender == p.gender
        assert ric.calc_check_digit(number) == number[-1]  # stdnum's checksum agrees


def test_demo_logins_exist(demo_county):
    from jiceng.core.models import User

    assert set(
        User.objects.filter(
            username__in=["county", "township", "secretary", "secretary2", "grid", "member"]
        ).values_list("username", flat=True)
    ) == {"county", "township", "secretary", "secretary2", "grid", "member"}


def test_check_trees_command(demo_county, capsys):
    from django.core.management import call_command

    call_command("check_trees")
    assert "OK" in capsys.readouterr().out


def test_check_deploy_refuses_demo_keys(db, capsys):
    assert cli.main(["check-deploy"]) == 1
    err = capsys.readouterr().err
    assert "JICENG_FIELD_KEY" in err and "SECRET_KEY" in err


def test_createadmin_on_existing_tree(demo_county, monkeypatch, capsys):
    from jiceng.core.models import AuditEntry, User

    monkeypatch.setenv("JICENG_ADMIN_PASSWORD", "Very-long-admin-pass-2026")
    assert cli.main(["createadmin", "--username", "opsadmin"]) == 0
    user = User.objects.get(username="opsadmin")
    assert user.is_superuser and user.role_assignments.get().org == demo_county["root"]
    assert AuditEntry.objects.filter(action="grant", target_repr__contains="opsadmin").exists()
    monkeypatch.setenv("JICENG_ADMIN_PASSWORD", "123")
    assert cli.main(["createadmin", "--username", "weak"]) == 1
    assert "密码" in capsys.readouterr().err and not User.objects.filter(username="weak").exists()


def test_gen_village_scale_into_an_empty_database(tmp_path):
    """`jiceng gen` loads a synthetic dataset that the app's own checks accept."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "JICENG_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    jiceng = str(Path(sys.executable).parent / "jiceng")
    out = subprocess.run(
        [jiceng, "gen", "--scale", "village"], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "'members':" in out.stdout and "'attendance':" in out.stdout
    # every member's person lives in a household of the member's own village, and as many
    # households again have no party member
    linked = subprocess.run(
        [
            jiceng,
            "manage",
            "shell",
            "-c",
            (
                "from jiceng.people.models import Household, Person, PartyMember;"
                "m = PartyMember.objects.count();"
                "print(m, Household.objects.count(),"
                " Person.objects.filter(household__area_id=models.F('area_id')).count())"
            ).replace("models.F", "__import__('django.db.models').db.models.F"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    members, households, linked_persons = map(int, linked.stdout.split()[-3:])
    assert members > 0 and households == 2 * members and linked_persons == members, (
        linked.stdout + linked.stderr
    )
    # generated up to yesterday: the last full months have their meetings (the bench exports the
    # last one), nothing is dated today or later (one village: a month may now and then have none)
    import datetime as dt
    import sqlite3

    from django.utils import timezone

    today = timezone.localdate()  # the county's day (Asia/Shanghai), as gen takes it
    recent = (today.replace(day=1) - dt.timedelta(days=59)).replace(day=1)  # two months back
    with sqlite3.connect(tmp_path / "jiceng.sqlite3") as made:
        (before, in_recent, late) = made.execute(
            "SELECT SUM(held_on < ?), SUM(held_on >= ? AND held_on < ?), SUM(held_on >= ?) FROM orglife_meeting",
            [recent.isoformat(), recent.isoformat(), today.isoformat(), today.isoformat()],
        ).fetchone()
    assert before > 0 and in_recent > 0 and not late
    check = subprocess.run(
        [jiceng, "manage", "check_trees"], env=env, capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0 and "Org: OK" in check.stdout, check.stdout + check.stderr
    # the rollup worker refreshes every committee of the dataset (province, city, county, township)
    roll = subprocess.run([jiceng, "rollups", "--once"], env=env, capture_output=True, text=True, timeout=120)
    assert roll.returncode == 0 and "full refresh of 4 organisations" in roll.stderr, roll.stderr
    bad = subprocess.run(
        [jiceng, "rollups", "--once", "--period", "2999"], env=env, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 1 and "尚未开始" in bad.stderr
    again = subprocess.run(
        [jiceng, "gen", "--scale", "village"], env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 1 and "empty database" in again.stderr


def test_demo_stands_on_today_unless_pinned(tmp_path):
    """`jiceng demo` generates the county as it stands today: organisational life up to yesterday,
    the date recorded with the load; a date in the future is refused."""
    import datetime as dt
    import os
    import sqlite3
    import subprocess
    import sys

    env = {
        **os.environ,
        "JICENG_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = [sys.executable, "-m", "jiceng.cli", "demo", "--villages", "2", "--members", "60"]
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    out = subprocess.run(
        [*run, "--as-of", tomorrow.isoformat()], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 2 and "晚于今天" in out.stderr
    assert (
        not (tmp_path / "d.sqlite3").exists()
        or not sqlite3.connect(tmp_path / "d.sqlite3")
        .execute("SELECT name FROM sqlite_master WHERE name = 'core_org'")
        .fetchone()
    )
    out = subprocess.run(run, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    today = timezone.localdate()  # (a run across midnight would see the day before: the demo's own "today")
    with sqlite3.connect(tmp_path / "d.sqlite3") as made:
        (changes,) = made.execute("SELECT changes FROM core_auditentry WHERE action = 'demo_load'").fetchone()
        last, first = made.execute("SELECT MAX(held_on), MIN(held_on) FROM orglife_meeting").fetchone()
        (year,) = made.execute("SELECT year FROM grading_gradinground").fetchone()
        # the committees' figures are stored by the load, so the first dashboard does not compute live
        committees, stored = made.execute(
            "SELECT (SELECT COUNT(*) FROM core_org WHERE kind = 'committee'),"
            " (SELECT COUNT(DISTINCT org_id) FROM core_indicatorsnapshot)"
        ).fetchone()
    assert committees > 0 and stored == committees and "已汇总" in out.stdout
    as_of = dt.date.fromisoformat(json.loads(changes)["as_of"][1])
    assert as_of in (today, today - dt.timedelta(days=1)) and f"截至 {as_of}" in out.stdout
    assert dt.date.fromisoformat(last) < as_of and dt.date.fromisoformat(first).year == as_of.year - 1
    assert year == as_of.year - 1


def test_banner_lists_every_apps_demo_logins(demo_county, capsys):
    """`make run`'s banner names core's log-ins and those the apps' demo steps made (kit.demo_logins),
    and each one it names exists."""
    from jiceng.cli import _print_banner
    from jiceng.core import kit
    from jiceng.core.models import User

    _print_banner(8000)
    out = capsys.readouterr().out
    named = [u for u, _ in kit.demo_logins()]
    assert "housing" in named and "mediator" in named
    for username in ["county", *named]:
        assert f"    {username} " in out
    assert set(User.objects.filter(username__in=named).values_list("username", flat=True)) == set(named)
