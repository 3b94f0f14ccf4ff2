"""Searchable selects: the organisation lookup (core.lookup) and the widget (core.widgets.SearchSelect)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.core import selectors
from jiceng.core.boundary import BoundaryForm
from jiceng.core.lookup import LIMIT
from jiceng.core.models import Org
from jiceng.core.widgets import INITIAL_OPTIONS, SearchSelect
from tests.factories import OrgFactory

OPTION = re.compile(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>')
B_NAMES = ("三社区", "乙镇")


def options(text: str) -> list[tuple[str, bool, bool, str]]:
    """(value, selected, disabled, label) of every option of a fragment or page."""
    return [(v, "selected" in a, "disabled" in a, label) for v, a, label in OPTION.findall(text)]


def lookup(client, **params):
    return client.get(reverse("org_lookup"), params)


# --- scope -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "村", "三社", "乙", "党", "社区"])
def test_secretary_of_a_never_sees_b(world, login, q):
    c = login(world.users["sec_a"])
    r = lookup(c, q=q)
    assert r.status_code == 200
    assert not [n for n in B_NAMES if n in r.text], r.text
    values = {int(v) for v, *_ in options(r.text) if v}
    assert values <= {world.branch_a.pk, world.group_a.pk}
    if q in ("", "村", "党"):
        assert world.branch_a.pk in values


def test_b_sees_its_own(world, login):
    """Positive control: the same search shows B's organisation to B's secretary."""
    c = login(world.users["sec_b"])
    r = lookup(c, q="三社")
    assert [label for _v, _s, _d, label in options(r.text)] == ["三社区党支部"]


def test_perm_only_narrows(world, login):
    """A grid worker sees its party group, but may change no member there: asked for the
    member-changing right's list, nothing; a page cannot widen the list by naming a right."""
    c = login(world.users["grid_a"])
    assert [int(v) for v, *_ in options(lookup(c).text) if v] == [world.group_a.pk]
    r = lookup(c, perm="change_member")
    assert r.status_code == 200 and not [v for v, *_ in options(r.text) if v]
    # the township officer: for grading, the township committee; never 乙镇's
    c = login(world.users["township"])
    r = lookup(c, perm="grade", kind="committee")
    assert [int(v) for v, *_ in options(r.text) if v] == [world.town_a_org.pk]


def test_kind_and_within(world, login):
    c = login(world.users["county"])
    r = lookup(c, kind="committee")
    assert {int(v) for v, *_ in options(r.text)} == {
        world.county_org.pk,
        world.town_a_org.pk,
        world.town_b_org.pk,
    }
    r = lookup(c, org=world.town_a_org.pk, kind="branch,group")
    assert {int(v) for v, *_ in options(r.text)} == {world.branch_a.pk, world.branch_a2.pk, world.group_a.pk}
    # within a node out of scope: 404, as for a missing one
    c = login(world.users["sec_a"])
    assert lookup(c, org=world.branch_b.pk).status_code == 404
    assert lookup(c, org=2_000_000_000).status_code == 404
    assert lookup(c, org="abc").status_code == 404


def test_anonymous_and_roleless(world, client, login):
    r = lookup(client, q="村")
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    c = login(world.users["nobody"])
    assert lookup(c, q="村").status_code == 404


# --- relevance, truncation, input ------------------------------------------------------------------


def test_prefix_matches_first_then_tree_order(world, login):
    c = login(world.users["county"])
    # "一村" starts two names and is inside none other; "村" is inside five: a name starting with
    # it comes first (OrgFactory makes one)
    OrgFactory(actor=world.users["county"], parent=world.town_a_org, name="村务监督党支部", kind="branch")
    labels = [label for _v, _s, _d, label in options(lookup(c, q="村").text)]
    assert labels[0] == "村务监督党支部"
    rest = labels[1:]
    assert rest and all("村" in n and not n.startswith("村") for n in rest)
    paths = list(Org.objects.filter(name__in=rest).order_by("path").values_list("name", flat=True))
    assert rest == paths
    # the first match is selected, so Enter or submit takes it
    assert options(lookup(c, q="村").text)[0][1]


def test_truncated_at_the_limit_with_a_last_disabled_option(demo_county, client):
    client.force_login(demo_county["county"])
    r = lookup(client)
    opts = options(r.text)
    assert len([o for o in opts if o[0]]) == LIMIT
    last = opts[-1]
    assert last[0] == "" and last[2] and ("还有更多" in last[3] or "type more" in last[3])
    # a precise search is not truncated
    name = Org.objects.order_by("-path").values_list("name", flat=True).first()
    opts = options(lookup(client, q=name).text)
    assert [label for _v, _s, _d, label in opts] == [name]


def test_blank_option_for_filters(world, login):
    c = login(world.users["sec_a"])
    opts = options(lookup(c, q="一村", blank="1").text)
    assert opts[0][:3] == ("", False, False) and opts[1][1]  # blank first, the first match chosen
    opts = options(lookup(c, q="没有这个组织").text)
    assert opts == [("", True, True, opts[0][3])]  # one disabled "nothing matches"


def test_long_or_bad_search_is_refused_in_chinese(world, login):
    c = login(world.users["sec_a"])
    r = lookup(c, q="村" * 51)
    assert r.status_code == 400
    assert "搜索词：最多50个字（现为51个）" in r.text
    assert lookup(c, q="村" * 50).status_code == 200
    r = lookup(c, q="一\x00村")
    assert r.status_code == 400 and "搜索词：含有控制字符" in r.text
    r = lookup(c, perm="superuser")
    assert r.status_code == 400 and "权限：不是系统声明的权限" in r.text and "superuser" not in r.text
    r = lookup(c, kind="village")
    assert r.status_code == 400 and "组织类型：" in r.text


def test_query_count_is_bounded_and_flat(demo_county, world, client, login):
    """The county officer of the demo county (1,800 organisations) costs what a village secretary
    costs: the answer never reads more than LIMIT + 1 rows, in one query."""

    def count(c, **params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert lookup(c, **params).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(demo_county["county"])
    big = [count(client), count(client, q="村"), count(client, q="村", kind="branch", perm="change_member")]
    small_client = login(world.users["sec_a"])
    small = [count(small_client), count(small_client, q="村")]
    assert max(big) <= 8, big
    assert max(big) <= max(small) + 1, (big, small)  # +1: the check of the ?kind/perm combination


# --- the widget --------------------------------------------------------------------------------------


class _OrgForm(BoundaryForm):
    org = forms.IntegerField(
        label="组织", widget=SearchSelect(url_name="org_lookup", params={"perm": "view_org"})
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].widget.scope(orgs, label=lambda o: o.name)


class _ModelForm(BoundaryForm):
    org = forms.ModelChoiceField(
        queryset=Org.objects.none(),
        error_messages={"invalid_choice": "组织：不存在或不在您的管辖范围内。"},
        widget=SearchSelect(url_name="org_lookup"),
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


def test_widget_draws_the_chosen_row_and_the_first_few(demo_county):
    county = demo_county["county"]
    orgs = selectors.org_choices(actor=county)
    last = orgs.last()
    html = str(_OrgForm(initial={"org": last.pk}, orgs=orgs)["org"])
    opts = options(html)
    assert opts[0] == (str(last.pk), True, False, last.name)  # the current value, chosen
    assert len(opts) == INITIAL_OPTIONS + 1 and not any(o[0] == "" for o in opts)
    assert (
        'type="search"' in html and 'placeholder="' in html and 'hx-get="/lookup/orgs/?perm=view_org"' in html
    )
    assert 'hx-trigger="input changed delay:300ms, search"' in html and 'for="id_org-search"' in html
    # nothing chosen: a blank first, never the first row silently
    opts = options(str(_OrgForm(orgs=orgs)["org"]))
    assert opts[0][0] == "" and len(opts) == INITIAL_OPTIONS + 1 and not any(o[1] for o in opts[1:])
    # two queries at most, whatever the list's length
    with CaptureQueriesContext(connection) as ctx:
        str(_OrgForm(initial={"org": last.pk}, orgs=orgs)["org"])
    assert len(ctx.captured_queries) <= 2


def test_widget_shows_nothing_out_of_scope(world):
    """A forged id posted back is not drawn as an option (its name would leak), and the form or the
    view refuses it as before."""
    orgs = selectors.org_choices(actor=world.users["sec_a"])
    form = _OrgForm({"org": str(world.branch_b.pk)}, orgs=orgs)
    html = str(form["org"])
    assert "三社区" not in html and str(world.branch_b.pk) not in {v for v, *_ in options(html)}
    form = _ModelForm({"org": str(world.branch_b.pk)}, orgs=orgs)
    assert not form.is_valid() and form.errors["org"] == ["组织：不存在或不在您的管辖范围内。"]
    assert "三社区" not in str(form["org"])
    form = _ModelForm({"org": str(world.group_a.pk)}, orgs=orgs)
    assert form.is_valid() and form.cleaned_data["org"] == world.group_a
    assert options(str(form["org"]))[0] == (str(world.group_a.pk), True, False, world.group_a.name)
    # not an id at all
    assert "abc" not in {v for v, *_ in options(str(_OrgForm({"org": "abc"}, orgs=orgs)["org"]))}


def test_widget_over_a_plain_list_of_choices():
    field = forms.TypedChoiceField(
        coerce=int,
        choices=[(i, f"组织{i}") for i in range(1, 101)],
        widget=SearchSelect(url_name="org_lookup", params={"kind": "committee"}),
    )

    class F(forms.Form):
        org = field

    opts = options(str(F(initial={"org": 77})["org"]))
    assert opts[0] == ("77", True, False, "组织77") and len(opts) == INITIAL_OPTIONS + 1
    form = F({"org": "99"})  # validation is the field's, over its whole list, as before
    assert form.is_valid() and form.cleaned_data["org"] == 99
    assert not F({"org": "101"}).is_valid()
