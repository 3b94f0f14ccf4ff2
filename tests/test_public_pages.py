"""Public pages (core.public): every page under /public/, read without an account for every area it
serves, shows no person's name, ID number or phone; their selectors return no model."""

from __future__ import annotations

import re

from django.urls import get_resolver, reverse

from jiceng.core import crypto
from jiceng.core.models import Area, AreaKind
from jiceng.core.public import plain
from jiceng.orglife import public as orglife_public
from jiceng.people.models import Person

PHONE = re.compile(r"1[3-9]\d{9}|1[3-9]\d\*{4}\d{4}")
ID_NUMBER = re.compile(r"\d{6}\*{8}\d{3}[\dX]|\d{17}[\dX]")


def public_routes() -> list[str]:
    out = []

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                walk(entry, route)
            elif route.startswith("public/"):
                out.append(entry.name)

    walk(get_resolver())
    return out


def test_every_public_page_is_free_of_personal_data(demo_county, client):
    names = set(Person.objects.exclude(name="").values_list("name", flat=True))
    numbers = {
        crypto.decrypt(c, field="id_number")
        for c in Person.objects.exclude(id_number_ciphertext="").values_list(
            "id_number_ciphertext", flat=True
        )[:2000]
    }
    routes = public_routes()
    assert sorted(routes) == sorted(
        [
            "public_party_affairs",
            "public_where",
            "public_cases",
            "public_case_new",
            "public_case_done",
            "public_case_track",
            "public_case_rate",
        ]
    ), routes
    villages = list(Area.objects.filter(kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY]))
    assert len(villages) == 12

    def assert_clean(text: str, where: str) -> None:
        # names of two characters and more (a one-character fragment means nothing)
        shown = [n for n in names if len(n) >= 2 and n in text]
        assert not shown, (where, shown[:5])
        assert not PHONE.search(text) and not ID_NUMBER.search(text), where
        assert not any(n in text for n in numbers)

    for village in villages:
        r = client.get(reverse("public_party_affairs", kwargs={"area_id": village.pk}))
        assert r.status_code == 200, village.name
        text = r.content.decode()
        assert village.name in text and "退出" not in text  # nobody is logged in
        assert_clean(text, village.name)
    # the address look-up, asked for every village, an estate, a building and households' addresses
    from jiceng.people.models import Household

    asked = [v.name for v in villages] + [
        a.name for a in Area.objects.filter(kind__in=["estate", "building"])[:5]
    ]
    asked += list(Household.objects.order_by("pk").values_list("address", flat=True)[:20])
    answered = 0
    for q in asked:
        r = client.get(reverse("public_where"), {"q": q})
        assert r.status_code == 200, q
        text = r.content.decode()
        answered += 'id="public-places"' in text and "<b>" in text
        assert "退出" not in text, q
        assert_clean(text, q)
    assert answered >= len(asked) // 2
    # residents' requests: the forms, and the public list for the county and for each township
    townships = list(Area.objects.filter(kind__in=[AreaKind.TOWNSHIP, AreaKind.SUBDISTRICT]))
    pages = [reverse("public_case_new"), reverse("public_case_track"), reverse("public_cases")]
    pages += [f"{reverse('public_cases')}?township={t.pk}" for t in townships]
    pages += [f"{reverse('public_case_new')}?township={t.pk}" for t in townships]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert "退出" not in r.content.decode(), url
        # the map providers the point-picker names are interface text, not a person ("高德" is a name)
        text = r.content.decode().replace("高德/腾讯地图", "").replace("高德地图", "")
        assert_clean(text, url)


def test_what_the_disclosure_says_and_what_it_refuses(demo_county, client):
    village = Area.objects.filter(kind=AreaKind.VILLAGE).order_by("path").first()
    affairs = orglife_public.party_affairs(village.pk)
    assert (
        plain(affairs) is affairs
        and affairs.members > 0
        and affairs.full_members + affairs.probationary == affairs.members
    )
    assert sum(n for _k, n in affairs.meetings) > 0
    page = client.get(reverse("public_party_affairs", kwargs={"area_id": village.pk}))
    assert f'<b id="members">{affairs.members}</b>' in page.content.decode()
    township = Area.objects.filter(kind=AreaKind.TOWNSHIP).first()
    for area_id in (township.pk, 2_000_000_000):  # not a village, or nothing: 404 like any missing page
        assert client.get(reverse("public_party_affairs", kwargs={"area_id": area_id})).status_code == 404
    assert client.post(reverse("public_party_affairs", kwargs={"area_id": village.pk})).status_code == 405


def test_a_public_selector_may_not_hand_out_a_model(demo_county):
    import pytest

    from jiceng.core.public import found

    with pytest.raises(TypeError, match="returned a model"):
        found((Area.objects.first(),))
    with pytest.raises(TypeError, match="queryset"):
        found(Area.objects.all())
    with pytest.raises(TypeError, match="queryset"):
        found({"areas": Area.objects})
    with pytest.raises(TypeError, match="iterator"):
        found(a for a in Area.objects.all()[:1])
    assert found(("一村", 3)) == ("一村", 3)
