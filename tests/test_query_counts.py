"""Query-count guard on every list page and every list API endpoint.

The lists are not written down: they are the authorisation matrix's (every page whose parameters
name nothing of anyone's, every GET operation that does not name a record). Each is fetched by a
county officer and by a village secretary once the world has grown (more villages, branches, members,
meetings, notifications and audit entries, made by the factories: no list is empty, so every
branch of a template runs), then the world grows as much again and each is fetched once more. The
number of queries may not grow with the rows (a query per row shows up as a difference), and no
page may cost more than QUERY_CAP queries at all.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.core import notify
from tests.factories import AreaFactory, MeetingFactory, MemberFactory, OrgFactory
from tests.test_authz_matrix import bearer, list_pages, op_urls, operations, with_query

QUERY_CAP = 60  # the dashboard is the most expensive page (≈40, its panels and headlines)
# a committee's home page is the dashboard plus its child units side by side (one grouped query per
# depth per compared indicator, computed live when no rollup is stored, as in these tests): ≈70
CAPS = {"/": 80}
USERS = ("county", "sec_a")


def grow(world) -> None:
    """Rows of every kind the lists show, several of each, in A's tree (seen by both users)."""
    c = world.users["county"]
    for _ in range(2):
        village = AreaFactory(actor=c, parent=world.town_a, kind="village")
        branch = OrgFactory(actor=c, parent=world.town_a_org, kind="branch", area=village)
        MemberFactory.create_batch(3, actor=c, org=branch)
        MeetingFactory(actor=c, org=branch)
    MemberFactory.create_batch(6, actor=c, org=world.branch_a)
    for _ in range(3):
        MeetingFactory(actor=c, org=world.branch_a)
    for n in range(3):
        notify.notify(
            recipients=[c, world.users["sec_a"]],
            kind="test",
            subject=f"测试通知{n}",
            body="测试",
            org=world.branch_a,
            channels=("inbox", "sms"),  # sms: held in the outbox (no sender configured)
        )


def measure(client, urls: list[str], headers: dict[str, str] | None = None) -> dict[str, tuple[int, int]]:
    out = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(url, **(headers or {})).status_code
        out[url] = (status, len(ctx.captured_queries))
    return out


def compare(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    failures = []
    for url, (status, n) in after.items():
        b_status, b_n = before[url]
        if status != b_status:
            failures.append(f"{url}: {b_status} before growing, {status} after")
        if n > b_n:
            failures.append(f"{url}: {b_n} queries, {n} once the lists are longer (a query per row?)")
        cap = CAPS.get(url.split("?")[0], QUERY_CAP)
        if n > cap:
            failures.append(f"{url}: {n} queries, over the cap of {cap}")
    return failures


@pytest.mark.parametrize("username", USERS)
def test_list_pages_do_not_query_per_row(world, client, login, username):
    login(world.users[username])
    urls = [
        with_query(page.url(values), query)
        for page, values in list_pages(world)
        for query in ({}, {"page": 2})
    ]
    assert len(urls) >= 40
    grow(world)
    before = measure(client, urls)
    assert sum(1 for s, _n in before.values() if s == 200) >= 20, before  # the guard reads real pages
    grow(world)
    failures = compare(before, measure(client, urls))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("username", USERS)
def test_list_api_does_not_query_per_row(world, client, username):
    from jiceng.core import services as core_services

    headers = bearer(core_services.api_token_create(actor=world.users[username], name="qc")[1])
    urls = [
        with_query(url, query)
        for op in operations(client)
        if op.method == "get" and not op.targets_b
        for url in op_urls(op, world)
        for query in ({}, {"limit": 5})
    ]
    assert len(urls) >= 20
    grow(world)
    before = measure(client, urls, headers)
    assert sum(1 for s, _n in before.values() if s == 200) >= 15, before
    grow(world)
    failures = compare(before, measure(client, urls, headers))
    assert not failures, "\n".join(failures)


def test_the_guard_can_fail():
    """compare() flags a list whose queries grew with its rows, and one over the cap."""
    assert compare({"/x/": (200, 5)}, {"/x/": (200, 5)}) == []
    assert compare({"/x/": (200, 5)}, {"/x/": (200, 9)})
    assert compare({"/x/": (200, QUERY_CAP + 1)}, {"/x/": (200, QUERY_CAP + 1)})
