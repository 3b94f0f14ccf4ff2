"""The input boundary, generated from what the code declares (like the authorisation matrix: a new
field is covered without anyone remembering it):

- every JSON body of the OpenAPI document: each of its fields (nested ones too) gets
  hypothesis-generated hostile values (control characters, lone surrogates, full-width and other
  Unicode digits, over-long strings, extreme numbers and dates, nulls) on a body that is otherwise
  valid (the matrix's write bodies, posted by the county officer, who may write there), plus an
  unknown field. No server error ever; a refusal is a 400 naming a field with a Chinese message
  and leaves every domain table as it was (a checksum of them; the security log may grow);
- every form of the project: each text field refuses control characters and over-long values
  with a message on that field, and each date field refuses dates out of bounds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import pkgutil
import re

import pytest
from django import forms
from django.apps import apps
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jiceng
from jiceng.core.boundary import BoundaryForm
from jiceng.core.services import api_token_create
from tests.counts import count_cases
from tests.test_authz_matrix import API_BODIES, b_records, op_urls, operations

# --- hostile values ---------------------------------------------------------------------------------

CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85"])
SURROGATE = st.sampled_from(["\ud800", "\udfff", "\udbff"])
INVISIBLE = st.sampled_from(["\u200b", "\u202e", "\u2066", "\ufeff"])
ODD_DIGITS = st.sampled_from(["١٢٣", "۴۵۶", "१२३", "１２３", "¹²³", "①②"])


# Each strategy gives (value, must_refuse): values no field may take are refused, whatever the
# field; the others (odd digits in a free text, null where the field may clear) may be accepted,
# but never with a server error.
def _always(strategy):
    return strategy.map(lambda v: (v, True))


def _maybe(strategy):
    return strategy.map(lambda v: (v, False))


def hostile_strings() -> st.SearchStrategy:
    plain = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
    return st.one_of(
        _always(st.builds(lambda a, c, b: a + c + b, plain, CONTROL, plain)),
        _always(st.builds(lambda a, c, b: a + c + b, plain, SURROGATE, plain)),
        _always(st.just("x" * 300_000)),
        _always(st.sampled_from([12345, ["a"], {"a": 1}])),
        _maybe(st.builds(lambda a, c, b: a + c + b, plain, INVISIBLE, plain)),
        _maybe(st.builds(lambda a, d: a + d, plain, ODD_DIGITS)),
        _maybe(st.integers(min_value=301, max_value=30_000).map(lambda n: "长" * n)),
        _maybe(st.just(None)),
    )


def hostile_numbers() -> st.SearchStrategy:
    return st.one_of(
        _always(st.sampled_from(["abc", [1], {"a": 1}, "1e999"])),
        _maybe(st.sampled_from([2**63, -(2**63) - 1, 10**30, -1, 0, 1.5, "١٢", "１２", "", None, True])),
        _maybe(st.integers(min_value=2**31, max_value=2**70)),
    )


def hostile_dates() -> st.SearchStrategy:
    return st.one_of(
        _always(
            st.sampled_from(["1800-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "abc"])
        ),
        _always(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(1899, 12, 31)).map(str)),
        _always(st.dates(min_value=dt.date(2100, 1, 1), max_value=dt.date(9999, 12, 31)).map(str)),
        _maybe(st.sampled_from(["２０２６-０１-０１", "", None, 20260101])),
    )


def hostile_booleans() -> st.SearchStrategy:
    return st.one_of(
        _always(st.sampled_from([[True], {"a": 1}, "maybe"])), _maybe(st.sampled_from(["yes", 2, None]))
    )


# --- the document's bodies ------------------------------------------------------------------------------


def _resolve(schema: dict, doc: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    if "anyOf" in schema:  # X | None
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        if options:
            return _resolve(options[0], doc)
    return schema


def body_fields(schema: dict, doc: dict, prefix: tuple = ()) -> list[tuple[tuple, str]]:
    """(path in the body, kind) of every scalar field: kind is string, date, integer, number, boolean."""
    schema = _resolve(schema, doc)
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop, doc)
        path = (*prefix, name)
        kind = prop.get("type")
        if kind == "object":
            out += body_fields(prop, doc, path)
        elif kind == "array":
            items = _resolve(prop.get("items", {}), doc)
            if items.get("type") == "object":
                out += body_fields(items, doc, (*path, 0))
            else:
                out.append(
                    ((*path, 0), "date" if items.get("format") == "date" else items.get("type", "string"))
                )
        else:
            out.append((path, "date" if prop.get("format") == "date" else (kind or "string")))
    return out


def _json_ops() -> list[tuple[str, str, dict]]:
    doc = Client().get("/api/openapi.json").json()
    out = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                fields = body_fields(content["application/json"]["schema"], doc)
                out.append((method, path, {"fields": fields}))
    return out


JSON_OPS = _json_ops()

# Tables a refused request must leave alone: every model of the domain apps and of core, but the
# security log (it records refusals), sessions, tokens (last use) and axes' attempts.
NOT_COMPARED = {"core.securityevent", "core.apitoken", "sessions.session"}


def _tables() -> list[str]:
    return [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in ("core", "people", "orglife", "grading")
        and model._meta.label_lower not in NOT_COMPARED
        and model._meta.managed
    ]


def checksum() -> str:
    """Every row of every compared table, read as the database holds it (raw, ordered by key)."""
    h = hashlib.sha256()
    with connection.cursor() as cur:
        for table in _tables():
            cur.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 - table names from the models
            h.update(table.encode())
            h.update(repr(cur.fetchall()).encode())
    return h.hexdigest()


def _set(body, path, value):
    target = body
    for key in path[:-1]:
        if isinstance(key, int):
            if not isinstance(target, list) or not target:
                return False
            target = target[key]
        else:
            if key not in target or not isinstance(target[key], dict | list):
                return False
            target = target[key]
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(target, list) or not target:
            return False
        target[last] = value
    elif isinstance(target, dict):
        target[last] = value
    else:
        return False
    return True


STRATEGY = {
    "string": hostile_strings,
    "date": hostile_dates,
    "integer": hostile_numbers,
    "number": hostile_numbers,
    "boolean": hostile_booleans,
}


def _raw(value) -> str:
    # ensure_ascii keeps a lone surrogate as the \\ud800 escape JSON allows
    return json.dumps(value)


def _check(response, before: str, where: str, must_refuse: bool) -> None:
    assert response.status_code != 500, f"{where}: 500"
    if must_refuse:
        assert response.status_code in (400, 404), f"{where}: accepted ({response.status_code})"
    if response.status_code in (400, 404):
        body = response.json()
        assert body.get("errors") and all(e.get("field") and e.get("message") for e in body["errors"]), where
        assert all(re.search(r"[\u4e00-\u9fff]", e["message"]) for e in body["errors"]), f"{where}: {body}"
        assert checksum() == before, f"{where}: refused, yet a table changed"
    else:
        assert response.status_code < 300, f"{where}: {response.status_code}"


@pytest.mark.parametrize(
    ("method", "path", "spec"), JSON_OPS, ids=[f"{m.upper()} {p}" for m, p, _ in JSON_OPS]
)
def test_every_body_field_refuses_hostile_values(method, path, spec, world, client):
    county = world.users["county"]
    _t, token = api_token_create(actor=county, name="boundary")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    op = next(o for o in operations(client) if o.method == method and o.path == path)
    url = op_urls(op, world)[0]
    factory = API_BODIES.get((method, path))
    assert factory is not None, f"{method.upper()} {path}: give it a write body in its app's authz.py"
    fields = [f for f in spec["fields"] if f[1] in STRATEGY]
    assert fields, f"{method.upper()} {path}: no fields found in its schema"

    # an unknown field, then every field set to null
    base = factory(world, b_records(world))
    before = checksum()
    r = getattr(client, method)(
        url, _raw({**base, "no_such_field": 1}), content_type="application/json", **headers
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "no_such_field", r.content
    assert checksum() == before

    @settings(
        max_examples=max(25, 6 * len(fields)),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(choice=st.sampled_from(fields).flatmap(lambda f: st.tuples(st.just(f[0]), STRATEGY[f[1]]())))
    def run(choice):
        field, (value, must_refuse) = choice
        body = factory(world, b_records(world))
        if not _set(body, field, value):
            return
        before = checksum()
        response = getattr(client, method)(url, _raw(body), content_type="application/json", **headers)
        count_cases("boundary (API bodies)")
        _check(response, before, f"{method.upper()} {url} {field}={value!r:.60}", must_refuse)

    run()


# --- the forms ---------------------------------------------------------------------------------------


def _forms() -> list[type[forms.BaseForm]]:
    for m in pkgutil.walk_packages(jiceng.__path__, "jiceng."):
        if ".migrations" not in m.name:
            importlib.import_module(m.name)

    def subs(c):
        for s in c.__subclasses__():
            yield s
            yield from subs(s)

    return sorted(
        {c for c in subs(forms.BaseForm) if c.__module__.startswith("jiceng.")}, key=lambda c: c.__qualname__
    )


FORMS = _forms()


def test_every_form_goes_through_the_boundary():
    assert FORMS
    outside = [f"{c.__module__}.{c.__qualname__}" for c in FORMS if not issubclass(c, BoundaryForm)]
    assert not outside, f"forms not on core.boundary.BoundaryForm: {outside}"
    unbounded = [
        f"{c.__qualname__}.{name}"
        for c in FORMS
        for name, field in c.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert not unbounded, f"text fields without a declared maximum length: {unbounded}"


def _instance(cls):
    """A form with its choices filled as a view would; None where it cannot be made standalone."""
    try:
        return cls({})
    except TypeError:
        return None


@pytest.mark.parametrize("cls", FORMS, ids=[c.__qualname__ for c in FORMS])
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_every_form_field_refuses_hostile_text_and_dates(cls, data):
    probe = _instance(cls)
    if probe is None:
        pytest.skip(f"{cls.__qualname__} needs arguments to be built")
    for name, field in probe.fields.items():
        if isinstance(field, forms.CharField):
            bad = data.draw(
                st.one_of(
                    st.builds(lambda c: f"甲{c}乙", CONTROL.filter(lambda c: c not in "\x00")),
                    st.just("长" * (field.max_length + 1)),
                )
            )
            form = cls({name: bad})
            count_cases("boundary (forms)")
            assert not form.is_valid() and name in form.errors, f"{cls.__qualname__}.{name} took {bad[:20]!r}"
            assert re.search(r"[\u4e00-\u9fff]|characters", " ".join(form.errors[name]))
        elif isinstance(field, forms.DateField):
            bad = data.draw(st.sampled_from(["1800-01-01", "9999-12-31", "0001-01-01"]))
            form = cls({name: bad})
            count_cases("boundary (forms)")
            assert not form.is_valid() and name in form.errors, f"{cls.__qualname__}.{name} took {bad}"
