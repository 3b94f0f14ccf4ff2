"""Authorization matrix: every page and every API operation, village A against village B.

The rule: every read is scoped to the actor's org subtree. A user of village A can neither read nor
change village B — by page, by API, by guessed id, by export — and a missing object and a forbidden
one both answer 404. The lists of pages and operations are not written down here: they are read from
the URL resolver and from the OpenAPI schema, so a new endpoint is checked the day it is added. A new
path parameter makes these tests fail until it is given a value in PAGE_PARAMS / API_PARAMS below.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.core import kit
from jiceng.core import services as core_services
from jiceng.core.models import ApiToken, AuditEntry
from jiceng.people.models import PartyMember

# What must never appear in a page or an answer given to a user of village A.
B_MARKERS = ("王五", "三社区", "乙镇")


def app_cases() -> list[kit.AuthzCases]:
    """Every installed app's cases (core.kit.AuthzCases): the matrix itself knows no app."""
    return [m.CASES for m in kit.authz_modules()]


def b_records(w) -> dict[str, Any]:
    """Village B's records of every app, made once per world by the county through the real services."""
    if not hasattr(w, "_b_records"):
        records: dict[str, Any] = {}
        for cases in app_cases():
            if cases.records is not None:
                records.update(cases.records(w))
        w._b_records = records
    return w._b_records


def _bound(kind: str) -> dict[str, Callable[[Any], Any]]:
    """One kind of the apps' parameters, as functions of the world alone."""
    out: dict[str, Callable[[Any], Any]] = {}
    for cases in app_cases():
        for name, fn in getattr(cases, kind).items():
            out[name] = lambda w, fn=fn: fn(w, b_records(w))
    return out


def merged(kind: str) -> dict:
    out: dict = {}
    for cases in app_cases():
        out.update(getattr(cases, kind))
    return out


# Path parameters that name a record of village B, for pages and the API alike.
B_RECORD_PARAMS = _bound("params")
# Path parameters of pages: each maps to an object of village B (or a harmless constant).
PAGE_PARAMS = {**B_RECORD_PARAMS, **_bound("page_params")}
# Path parameters of API operations that name an object of village B …
API_PARAMS = dict(B_RECORD_PARAMS)
# … and those that name nothing owned by anyone (the answer is then scoped by the caller's own tree);
# a page whose parameters are all of these (a ledger's key) is read as a list page. A value may be a
# list: every one of them is tried.
API_NEUTRAL_PARAMS = _bound("neutral_params")


def neutral_values(world) -> dict[str, list[Any]]:
    out = {}
    for name, fn in API_NEUTRAL_PARAMS.items():
        value = fn(world)
        out[name] = list(value) if isinstance(value, list | tuple) else [value]
    return out


def api_values(world) -> dict[str, Any]:
    """A value for every path parameter (the first of a neutral one's values)."""
    return {
        **{name: fn(world) for name, fn in API_PARAMS.items()},
        **{name: values[0] for name, values in neutral_values(world).items()},
    }


def op_urls(op, world) -> list[str]:
    """The operation's URL with B's records, once for each value of its neutral parameters."""
    fixed = {name: fn(world) for name, fn in API_PARAMS.items()}
    neutral = [p for p in op.path_params if p in API_NEUTRAL_PARAMS]
    return [op.url({**fixed, **combo}) for combo in expand(tuple(neutral), neutral_values(world))]


def expand(params: tuple[str, ...], choices: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the given parameters' values."""
    combos: list[dict[str, Any]] = [{}]
    for name in params:
        combos = [{**c, name: v} for c in combos for v in choices[name]]
    return combos


# Query parameters through which a list can be pointed at village B. Values that a page may echo
# back (a search box) are partial ("王" of "王五"), so an echo is never mistaken for a leak.
QUERY_PROBES: dict[str, Callable[[Any], Any]] = merged("query_probes")
LIST_QUERIES: list[dict[str, str]] = [
    {},
    {"org": "org"},
    {"area": "area"},
    {"q": "q"},
    {"id_tail": "id_tail"},
    {"org": "org", "q": "q"},
    {"target_type": "people.partymember", "target_id": "target_id"},
    {"member": "member"},
    # downloads (ledgers): the file itself, for the whole scope and pointed at B
    {"format": "xlsx"},
    {"format": "csv"},
    {"org": "org", "format": "xlsx"},
    {"org": "org", "format": "csv"},
]
EXTRA_LIST_QUERIES = [{"q": "三社"}, {"q": "乙"}]

# Bodies that pass validation, for API writes: scoping must be what refuses them, not the input check. Writes
# without an id in the path name B inside the body.
API_BODIES: dict[tuple[str, str], Callable[[Any, dict[str, Any]], dict[str, Any]]] = merged("write_bodies")
# Form data posted by A to B's pages (enough to pass a form, where one is checked after the lookup).
POST_DATA = {"name": "篡改", "mobility_note": "越权修改", "expires_days": "1", "org": ""}

# public/: pages anyone may read, checked for personal data by tests/test_public_pages.py instead;
# open311/: the public GeoReport endpoint (a county's listed requests, coarse), checked by
# tests/cases/test_open311.py
EXCLUDED_PREFIXES = ("admin/", "i18n/", "api/", "public/", "open311/")
EXCLUDED_NAMES = {"login", "logout", "healthz"}
# Pages that show B's data to B's secretary: the positive control of the list-page check.
B_VISIBLE_TO_SEC_B = frozenset().union(*(c.visible_to_b for c in app_cases()))
A_USERS = ("sec_a", "township", "grid_a", "member", "nobody")
MISSING_ID = 2_000_000_000
MISSING_UUID = "00000000-0000-4000-8000-000000000000"
WRITE_METHODS = ("post", "put", "patch", "delete")


# --- enumeration -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    route: str
    name: str  # qualified, for reverse()
    params: tuple[str, ...]
    int_params: frozenset[str]
    uuid_params: frozenset[str] = frozenset()

    @property
    def short(self) -> str:
        return self.name.rsplit(":", 1)[-1]

    def url(self, values: dict[str, Any], *, missing: bool = False) -> str:
        unknown = [p for p in self.params if p not in values]
        assert not unknown, (
            f"{self.route}: give {unknown} a value in its app's authz.py (params or page_params)"
        )

        def value(p: str) -> Any:
            if missing and p in self.int_params:
                return MISSING_ID
            if missing and p in self.uuid_params:
                return MISSING_UUID
            return values[p]

        kwargs = {p: value(p) for p in self.params}
        return reverse(self.name, kwargs=kwargs)


def _walk(
    resolver,
    prefix: str = "",
    namespaces: tuple[str, ...] = (),
    params: tuple[str, ...] = (),
    ints: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, Any, tuple, tuple, frozenset]]:
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        names = tuple(pattern.regex.groupindex)
        converters = getattr(pattern, "converters", {})
        these_ints = frozenset(n for n, c in converters.items() if isinstance(c, IntConverter))
        route = prefix + str(pattern)
        if pattern.regex.groups > len(names):
            raise AssertionError(f"{route}: positional URL groups cannot be filled; use named parameters")
        if isinstance(entry, URLResolver):
            ns = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from _walk(entry, route, ns, params + names, ints | these_ints)
        else:
            yield route, entry, namespaces, params + names, ints | these_ints


def all_routes() -> list[tuple[str, Any, tuple, tuple, frozenset]]:
    return list(_walk(get_resolver()))


def pages() -> list[Page]:
    out: dict[str, Page] = {}
    unnamed = []
    for route, entry, namespaces, params, ints in all_routes():
        if route.startswith(EXCLUDED_PREFIXES) or entry.name in EXCLUDED_NAMES:
            continue
        if not entry.name:
            unnamed.append(route)
            continue
        uuids = frozenset(
            n for n, c in getattr(entry.pattern, "converters", {}).items() if isinstance(c, UUIDConverter)
        )
        out.setdefault(route, Page(route, ":".join((*namespaces, entry.name)), params, ints, uuids))
    assert not unnamed, f"Name these URL patterns so the authorization matrix can reach them: {unnamed}"
    return sorted(out.values(), key=lambda p: p.route)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as in the schema: /api/v1/members/{member_id}
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]

    @property
    def targets_b(self) -> bool:
        return any(p in API_PARAMS for p in self.path_params)

    def url(self, values: dict[str, Any]) -> str:
        unknown = [p for p in self.path_params if p not in values]
        assert not unknown, f"{self}: give {unknown} a value in its app's authz.py (params or neutral_params)"
        return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), self.path)

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def operations(client) -> list[Operation]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200, response
    out = []
    for path, item in response.json()["paths"].items():
        for method, op in item.items():
            if method not in ("get", *WRITE_METHODS):
                continue
            params = op.get("parameters", [])
            out.append(
                Operation(
                    method,
                    path,
                    tuple(re.findall(r"\{(\w+)\}", path)),
                    tuple(p["name"] for p in params if p.get("in") == "query"),
                )
            )
    assert out, "the OpenAPI schema lists no operations"
    return out


# --- helpers ---------------------------------------------------------------------------------------


def body_text(response) -> str:
    """The text of a response; an xlsx file is opened and its cell values are read."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"PK"):
        wb = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(v)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    return raw.decode("utf-8", errors="replace")


def leaks(text: str) -> list[str]:
    return [m for m in B_MARKERS if m in text]


def json_b_refs(data: Any, world) -> list[str]:
    """org_id / area_id values in a JSON answer that point into township B."""
    b_orgs = {world.town_b_org.pk, world.branch_b.pk}
    b_areas = {world.town_b.pk, world.village_b.pk}
    found = []

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if (k == "org_id" and v in b_orgs) or (k == "area_id" and v in b_areas):
                    found.append(f"{k}={v}")
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)
    return found


def b_state(world) -> dict[str, Any]:
    """Everything a write by A against B could touch (each app says what), plus the audit log's length."""
    out: dict[str, Any] = {}
    for cases in app_cases():
        if cases.state is not None:
            out.update(cases.state(world))
    return out


def state_diff(before: dict[str, Any], after: dict[str, Any]) -> str:
    return ", ".join(k for k in before if before[k] != after[k])


def resolve_query(world, query: dict[str, str]) -> dict[str, Any]:
    return {k: (QUERY_PROBES[v](world) if v in QUERY_PROBES else v) for k, v in query.items()}


def with_query(url: str, query: dict[str, Any]) -> str:
    return f"{url}?{urlencode(query)}" if query else url


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def api_call(client, op: Operation, url: str, headers: dict[str, str] | None = None, world=None):
    headers = headers or {}
    if op.method == "get":
        return client.get(url, **headers)
    factory = API_BODIES.get((op.method, op.path))
    body = json.dumps(factory(world, b_records(world)) if factory and world is not None else {})
    return getattr(client, op.method)(url, data=body, content_type="application/json", **headers)


def report(failures: list[str]) -> str:
    return f"{len(failures)} authorization failure(s):\n  " + "\n  ".join(failures)


@pytest.fixture
def b_ids(world) -> dict[str, Any]:
    return {
        **{name: fn(world) for name, fn in PAGE_PARAMS.items()},
        **{name: values[0] for name, values in neutral_values(world).items()},
    }


# --- 1. pages --------------------------------------------------------------------------------------


def list_pages(world) -> list[tuple[Page, dict[str, Any]]]:
    """Pages that read lists: those without parameters, and those whose parameters name nothing of
    anyone's (each value tried)."""
    choices = neutral_values(world)
    out = []
    for p in pages():
        if all(param in choices for param in p.params):
            out += [(p, values) for values in expand(p.params, choices)]
    return out


def object_pages() -> list[Page]:
    return [p for p in pages() if p.params and not all(param in API_NEUTRAL_PARAMS for param in p.params)]


def test_every_page_parameter_has_a_b_value():
    missing = sorted(
        {
            f"{p.route} needs '{param}'"
            for p in pages()
            for param in p.params
            if param not in PAGE_PARAMS and param not in API_NEUTRAL_PARAMS
        }
    )
    assert not missing, (
        "New URL parameter(s) without a value in tests/test_authz_matrix.py PAGE_PARAMS "
        "(map each to an object of village B so the page is checked): " + "; ".join(missing)
    )


@pytest.mark.parametrize("username", A_USERS)
def test_list_pages_show_nothing_of_b(world, client, login, username):
    """Every list page, with every neutral parameter value and every query probe, read by one of
    A's users (one test per user, so that xdist spreads them)."""
    lists = list_pages(world)
    assert len(lists) >= 8, [p.route for p, _v in lists]
    queries = [resolve_query(world, q) for q in LIST_QUERIES] + EXTRA_LIST_QUERIES
    failures = []
    login(world.users[username])
    for page, values in lists:
        for query in queries:
            url = with_query(page.url(values), query)
            response = client.get(url, follow=True)
            if response.status_code == 405:
                continue  # a POST-only action (e.g. create a token): there is no list to read
            # 400: a download the request cannot serve (a year without a grading round), named
            if response.status_code not in (200, 400, 403, 404):
                failures.append(f"{username} GET {url}: unexpected {response.status_code}")
                continue
            if found := leaks(body_text(response)):
                failures.append(f"{username} GET {url}: {response.status_code} shows B's {found}")
    assert not failures, report(failures)


def test_list_pages_show_b_to_b(world, client, login):
    """Positive control: the same pages do show B's data to B's own secretary, so the check can fail."""
    lists = list_pages(world)
    assert len(lists) >= 8, [p.route for p, _v in lists]
    login(world.users["sec_b"])
    shown = set()
    for page, values in lists:
        for query in ({}, {"format": "xlsx"}):
            response = client.get(with_query(page.url(values), query), follow=True)
            if response.status_code == 200 and leaks(body_text(response)):
                shown.add(page.short)
    missing = B_VISIBLE_TO_SEC_B - shown
    assert not missing, f"sec_b does not see B's data on {sorted(missing)}"


def test_export_is_scoped(world, client, login):
    """The xlsx export, read cell by cell: A's members, none of B's, and no export aimed at B."""
    login(world.users["sec_a"])
    url = reverse("ledger_detail", kwargs={"key": "people.members"})
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = body_text(response)
    assert "张三" in text and not leaks(text), text
    for query in ({"org": world.branch_b.pk}, {"org": world.town_b_org.pk}, {"org": MISSING_ID}):
        before = AuditEntry.objects.count()
        response = client.get(with_query(url, {**query, "format": "xlsx"}))
        assert response.status_code == 404, query
        assert not leaks(body_text(response))
        assert AuditEntry.objects.count() == before, "a refused export was recorded as an export"


@pytest.mark.parametrize("username", A_USERS)
def test_object_pages_of_b_answer_404(world, client, login, b_ids, username):
    """Every page about one of B's records, read and posted to by one of A's users: 404 (or 403 for
    a user without the right at all), like a missing record, and nothing of B changed."""
    failures = []
    not_allowed: dict[str, set[str]] = {}  # route -> methods the view refuses to everyone (405)
    login(world.users[username])
    for page in object_pages():
        url, missing_url = page.url(b_ids), page.url(b_ids, missing=True)
        refused = 0
        for method in ("get", "post"):
            before = b_state(world)
            kwargs = {"data": POST_DATA} if method == "post" else {}
            response = getattr(client, method)(url, **kwargs)
            status = response.status_code
            if method == "post" and (changed := state_diff(before, b_state(world))):
                failures.append(f"{username} POST {url}: changed {changed}")
            if status == 405:
                not_allowed.setdefault(page.route, set()).add(method)
                continue
            ok = (404,) if username == "sec_a" else (403, 404)
            if status not in ok:
                failures.append(f"{username} {method.upper()} {url}: {status}, expected {ok}")
                continue
            refused += 1
            if found := leaks(body_text(response)):
                failures.append(f"{username} {method.upper()} {url}: 404 page shows B's {found}")
            if missing_url != url:
                other = getattr(client, method)(missing_url, **kwargs).status_code
                if other != status:
                    failures.append(
                        f"{username} {method.upper()}: B's {url} -> {status} but missing "
                        f"{missing_url} -> {other}; forbidden and missing must look alike"
                    )
        if not refused and not_allowed.get(page.route, set()) >= {"get", "post"}:
            failures.append(
                f"{username}: {page.route} answers 405 to GET and POST; the matrix cannot check it"
            )
    assert not failures, report(failures)


def test_object_pages_of_b_work_for_b(world, client, login, b_ids):
    """Positive control: the same URLs work for B's secretary (a method refused with 405 is refused
    to A's secretary alike, so a 405 never hides a missing check)."""
    failures = []
    for page in object_pages():
        url = page.url(b_ids)
        login(world.users["sec_a"])
        a_refused = {
            m
            for m in ("get", "post")
            if (client.get(url) if m == "get" else client.post(url, data=POST_DATA)).status_code == 405
        }
        login(world.users["sec_b"])
        response = client.get(url)
        if response.status_code == 405:
            if "get" not in a_refused:
                failures.append(f"sec_b GET {url}: 405, but sec_a was not told 405")
            response = client.post(url, data=POST_DATA)
            if response.status_code not in (200, 302):
                failures.append(f"sec_b POST {url} (POST-only) -> {response.status_code}")
        elif response.status_code != 200:
            failures.append(f"sec_b GET {url} -> {response.status_code}, expected 200")
        for method in a_refused - {"get"}:
            if getattr(client, method)(url).status_code != 405:
                failures.append(f"{method.upper()} {url}: 405 for sec_a but not for sec_b")
    assert not failures, report(failures)


PAGE_WRITES: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = merged("page_writes")


def test_every_page_write_names_a_page():
    names = {p.short for p in pages()}
    assert PAGE_WRITES and not set(PAGE_WRITES) - names, sorted(set(PAGE_WRITES) - names)


@pytest.mark.parametrize("username", A_USERS)
def test_forms_naming_b_change_nothing(world, client, login, username):
    """Pages whose URL names no record but whose form names an organisation: A's users post B's
    there (in the form, and as ?org= where the page reads it) and are refused — 404, 403 or the
    form shown again with an error — and nothing of B, nor the audit log, changes."""
    by_name = {p.short: p for p in pages()}
    neutral = {name: values[0] for name, values in neutral_values(world).items()}
    login(world.users[username])
    failures = []
    for name, body_of in sorted(PAGE_WRITES.items()):
        body = body_of(world, b_records(world))
        url = with_query(by_name[name].url(neutral), {"org": body["org"]} if "org" in body else {})
        before = b_state(world)
        response = client.post(url, data=body)
        if changed := state_diff(before, b_state(world)):
            failures.append(f"{username} POST {url}: changed {changed}")
        if response.status_code == 302 and not is_login_redirect(response):
            failures.append(f"{username} POST {url}: 302 to {response['Location']} (accepted?)")
        elif response.status_code not in (200, 302, 403, 404):
            failures.append(f"{username} POST {url}: {response.status_code}")
        elif found := leaks(body_text(response)):
            failures.append(f"{username} POST {url}: the answer shows B's {found}")
    assert not failures, report(failures)


def test_the_same_forms_work_for_b(world, client, login):
    """Positive control: 乙镇's own committee officer posting the same forms does change things, so
    the check above is not passing on forms that never work."""
    officer = core_services.user_create(actor=None, username="b_officer", password="Matrix-pass-2026!")
    core_services.role_grant(actor=None, user=officer, role="township_admin", org=world.town_b_org)
    by_name = {p.short: p for p in pages()}
    neutral = {name: values[0] for name, values in neutral_values(world).items()}
    client.force_login(officer)
    worked = []
    for name, body_of in sorted(PAGE_WRITES.items()):
        body = body_of(world, b_records(world))
        url = with_query(by_name[name].url(neutral), {"org": body["org"]} if "org" in body else {})
        before = b_state(world)
        client.post(url, data=body)
        if state_diff(before, b_state(world)):
            worked.append(name)
    assert {"meeting_create", "topic_lists", "grading_rounds", "member_create", "member_import"} <= set(
        worked
    ), worked


def test_a_cannot_move_own_member_into_b(world, client, login):
    """Changing B indirectly: placing one of A's members into B's branch is refused, nothing is saved."""
    login(world.users["sec_a"])
    m = world.member_a
    before = (AuditEntry.objects.count(), PartyMember.objects.filter(pk=m.pk).values().get())
    p = m.person
    data = {
        "name": p.name,
        "gender": p.gender,
        "ethnicity": p.ethnicity,
        "id_number": p.id_number_masked,
        "phone": p.phone_masked,
        "education": p.education,
        "org": world.branch_b.pk,
        "status": m.status,
        "joined_on": m.joined_on.isoformat(),
        "full_on": m.full_on.isoformat() if m.full_on else "",
        "mobility": m.mobility,
        "mobility_note": "",
    }
    response = client.post(reverse("member_edit", kwargs={"member_id": m.pk}), data=data)
    assert response.status_code == 200  # the form again, with an error on org
    assert not leaks(body_text(response))
    assert (AuditEntry.objects.count(), PartyMember.objects.filter(pk=m.pk).values().get()) == before


# --- 2. anonymous ----------------------------------------------------------------------------------


def test_anonymous_pages_redirect_to_login(world, client, b_ids):
    failures = []
    login_url = reverse("login")
    assert client.get(login_url).status_code == 200
    for page in pages():
        url = page.url(b_ids)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not is_login_redirect(response):
                failures.append(
                    f"anonymous {method.upper()} {url}: {response.status_code} "
                    f"{response.get('Location', '')}, expected 302 to {login_url}"
                )
    assert not failures, report(failures)


def test_anonymous_api_is_401(world, client):
    values = api_values(world)
    failures = []
    for op in operations(client):
        response = api_call(client, op, op.url(values))
        if response.status_code != 401:
            failures.append(f"anonymous {op}: {response.status_code}, expected 401")
    assert not failures, report(failures)


# --- 3. API ----------------------------------------------------------------------------------------


def test_every_api_route_is_in_the_schema(client):
    """An operation left out of the OpenAPI schema would escape the API matrix."""
    in_schema = {op.path for op in operations(client)}
    routed = set()
    for route, entry, *_ in all_routes():
        if route.startswith("api/") and entry.name not in ("openapi-json", "openapi-view", "api-root"):
            routed.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    assert routed <= in_schema, f"API routes missing from /api/openapi.json: {sorted(routed - in_schema)}"


def test_every_api_parameter_has_a_value(client):
    known = API_PARAMS.keys() | API_NEUTRAL_PARAMS.keys()
    unknown = sorted(
        {f"{op} needs '{p}'" for op in operations(client) for p in op.path_params if p not in known}
    )
    assert not unknown, (
        "New API path parameter(s): add each to API_PARAMS (an object of village B) or API_NEUTRAL_PARAMS "
        "in tests/test_authz_matrix.py: " + "; ".join(unknown)
    )


# Callers from A's tree: a bearer token for each user, and sec_a's browser session too.
API_CALLERS = (*(f"{u}/token" for u in A_USERS), "sec_a/session")


@pytest.mark.parametrize("caller", API_CALLERS)
def test_api_of_b_is_404_to_a(world, client, login, caller):
    ops = operations(client)
    username, how = caller.split("/")
    headers: dict[str, str] = {}
    if how == "token":
        headers = bearer(core_services.api_token_create(actor=world.users[username], name="matrix")[1])
    else:
        login(world.users[username])
    failures = []
    for op in ops:
        requests = []
        for base in op_urls(op, world):
            if op.targets_b:
                requests.append(base)
                continue
            probes = [q for q in op.query_params if q in QUERY_PROBES]
            requests += [base] + [with_query(base, {q: QUERY_PROBES[q](world)}) for q in probes]
            if len(probes) > 1:
                requests.append(with_query(base, {q: QUERY_PROBES[q](world) for q in probes}))
        for url in requests:
            before = b_state(world)
            response = api_call(client, op, url, headers, world)
            status = response.status_code
            if op.method != "get" and (changed := state_diff(before, b_state(world))):
                failures.append(f"{caller} {op.method.upper()} {url}: changed {changed}")
            if status == 400 and response.json().get("stage") == "input":
                failures.append(
                    f"{caller} {op.method.upper()} {url}: refused as input ({response.json()['errors']}) — give it a valid body in its app's "
                    f"authz.py (write_bodies) so that scoping, not validation, is what is tested"
                )
            elif op.targets_b and status != 404:
                failures.append(f"{caller} {op.method.upper()} {url}: {status}, expected 404")
            elif not op.targets_b and op.method != "get" and status not in (400, 404):
                # a write whose body names B: refused as out of scope (404) or as a field error
                failures.append(f"{caller} {op.method.upper()} {url}: {status}, expected 400 or 404")
            elif not op.targets_b and op.method == "get" and status not in (200, 400, 404):
                failures.append(f"{caller} {op.method.upper()} {url}: {status}, expected 200, 400 or 404")
            elif status == 400 and not all(
                e.get("field") and e.get("message") for e in response.json().get("errors", [None])
            ):
                failures.append(f"{caller} {op.method.upper()} {url}: 400 without a field and a message")
            if status == 200 and response.get("Content-Type", "").startswith("application/json"):
                data = response.json()
                text = json.dumps(data, ensure_ascii=False)
                if found := leaks(text) + json_b_refs(data, world):
                    failures.append(f"{caller} {op.method.upper()} {url}: 200 shows B's {found}")
            elif status == 200:  # a file (a ledger)
                if found := leaks(body_text(response)):
                    failures.append(f"{caller} {op.method.upper()} {url}: 200 file shows B's {found}")
            elif found := leaks(response.content.decode()):
                failures.append(f"{caller} {op.method.upper()} {url}: {status} shows B's {found}")

    assert not failures, report(failures)


def test_api_of_b_works_for_b(world, client):
    """Positive control: B's secretary, with its own token, gets the same URLs."""
    ops = operations(client)
    values = api_values(world)
    failures = []
    _t, token_b = core_services.api_token_create(actor=world.users["sec_b"], name="matrix")
    response = client.get(f"/api/v1/members/{world.member_b.pk}", **bearer(token_b))
    if response.status_code != 200 or response.json().get("name") != "王五":
        failures.append(f"positive control: sec_b GET member_b -> {response.status_code}")
    # Grading writes need the grading right, which a branch secretary does not hold: 乙镇's own
    # committee officer is their positive control. A write may fail validation (400: the plan exists
    # already), which still shows that scoping let it through.
    writer_roles = merged("b_writer_roles")
    writer_tokens: dict[str, str] = {}
    for role in sorted(set(writer_roles.values())):
        b_writer = core_services.user_create(actor=None, username=f"b_{role}", password="Matrix-pass-2026!")
        core_services.role_grant(actor=None, user=b_writer, role=role, org=world.town_b_org)
        writer_tokens[role] = core_services.api_token_create(actor=b_writer, name="matrix")[1]
    for op in ops:
        if not op.targets_b:
            continue
        url = op.url(values)
        role = next((r for prefix, r in writer_roles.items() if op.path.startswith(prefix)), None)
        token = writer_tokens[role] if role and op.method != "get" else token_b
        status = api_call(client, op, url, bearer(token), world).status_code
        ok = (200,) if op.method == "get" else (200, 400)
        if status not in ok:
            failures.append(f"positive control: B {op.method.upper()} {url} -> {status}, expected {ok}")
    assert not failures, report(failures)


def test_api_patch_of_b_changes_nothing(world, client):
    _t, token = core_services.api_token_create(actor=world.users["sec_a"], name="t")
    before = b_state(world)
    bodies = (
        {"name": "篡改"},
        {"org": world.branch_a.pk},
        {"mobility_note": "越权", "status": "probationary"},
    )
    for body in bodies:
        response = client.patch(
            f"/api/v1/members/{world.member_b.pk}",
            data=json.dumps(body),
            content_type="application/json",
            **bearer(token),
        )
        assert response.status_code == 404, (body, response.content)
        assert not leaks(response.content.decode())
    assert b_state(world) == before
    world.member_b.person.refresh_from_db()
    assert world.member_b.person.name == "王五"

    # Nor can A move its own member into B's branch: refused as a field error, naming nothing of B.
    member_a = PartyMember.objects.filter(pk=world.member_a.pk).values().get()
    response = client.patch(
        f"/api/v1/members/{world.member_a.pk}",
        data=json.dumps({"org": world.branch_b.pk}),
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "org"
    assert not leaks(response.content.decode())
    assert PartyMember.objects.filter(pk=world.member_a.pk).values().get() == member_a
    assert b_state(world) == before


# --- 5. tokens -------------------------------------------------------------------------------------


def test_revoked_expired_and_unknown_tokens_are_401(world, client):
    sec_b = world.users["sec_b"]
    values = api_values(world)
    ops = operations(client)

    _t, valid = core_services.api_token_create(actor=sec_b, name="valid")
    revoked_row, revoked = core_services.api_token_create(actor=sec_b, name="revoked")
    core_services.api_token_revoke(actor=sec_b, token_id=revoked_row.pk)
    expired_row, expired = core_services.api_token_create(actor=sec_b, name="expired")
    ApiToken.objects.filter(pk=expired_row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    tokens = {"revoked": revoked, "expired": expired, "unknown": "jc_" + "x" * 43, "truncated": valid[:12]}
    # last_used_at moves; the valid token's exports of personal data are logged (checked below)
    before = {k: v for k, v in b_state(world).items() if k not in ("tokens_b", "audit_count")}
    last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    failures = []
    for op in ops:
        url = op.url(values)
        if op.method == "get":
            status = api_call(client, op, url, bearer(valid)).status_code
            if status != 200:
                failures.append(f"positive control: valid token GET {url} -> {status}")
        for label, token in tokens.items():
            status = api_call(client, op, url, bearer(token)).status_code
            if status != 401:
                failures.append(f"{label} token {op.method.upper()} {url}: {status}, expected 401")

    # A deactivated user's token stops working too.
    sec_b.is_active = False
    sec_b.save(update_fields=["is_active"])
    for op in ops:
        status = api_call(client, op, op.url(values), bearer(valid)).status_code
        if status != 401:
            failures.append(f"inactive user's token {op}: {status}, expected 401")
    after = {k: v for k, v in b_state(world).items() if k not in ("tokens_b", "audit_count")}
    if changed := state_diff(before, after):
        failures.append(f"calls with bad tokens changed {changed}")
    written = list(AuditEntry.objects.filter(pk__gt=last_entry).values_list("actor_id", "action"))
    if any(entry != (sec_b.pk, "export") for entry in written):
        failures.append(f"calls with bad tokens wrote audit entries: {written}")
    assert not failures, report(failures)
