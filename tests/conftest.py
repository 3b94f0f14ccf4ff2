from __future__ import annotations

import datetime as dt

import pytest
from django.http import HttpRequest

from tests.world import PASSWORD, build_world

# The demo county's "today" in tests: pinned, so the county is the same whatever the day (the demo
# loads as of the real today otherwise). Mid-month: the current month is partly held.
DEMO_AS_OF = dt.date(2026, 11, 15)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A small demo county (12 villages, ≈600 members), loaded once per test session."""
    from django.conf import settings

    from jiceng.core.demo import load_demo

    # Password hashing at production strength costs ~0.5 s a user; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        load_demo(seed=7, villages=12, members=600, as_of=DEMO_AS_OF)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JICENG_JOBS_DIR = tmp_path / "jobs"


@pytest.fixture
def world(db):
    return build_world(suffix="_w")


@pytest.fixture
def login(client):
    """Log a world user into the test client: ``login(world.users['sec_a'])``."""

    def do(user):
        assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
        return client

    return do


@pytest.fixture
def demo_county(db):
    """The session's demo county: its committee, the county log-in, and the day it stands on."""
    from jiceng.core.models import Org, User

    return {
        "root": Org.objects.get(name="中共青山县委员会"),
        "county": User.objects.get(username="county"),
        "as_of": DEMO_AS_OF,
    }


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without xdist)
        from tests.counts import reset

        reset()


def pytest_terminal_summary(terminalreporter):
    from tests.counts import totals

    for name, n in sorted(totals().items()):
        terminalreporter.write_line(f"generated cases — {name}: {n}")
