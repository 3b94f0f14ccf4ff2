"""The demo county's decisions: the road repair through 五步决策法 resolved, disclosed and its
result disclosed; the vetoed matter; matters part-way; a roster with problems; an overdue village."""

from __future__ import annotations

from django.urls import reverse

from jiceng.decisions import demo, queries
from jiceng.decisions.models import Matter, Outcome


def test_demo_matters_and_rosters(demo_county, client):
    road = Matter.objects.get(title=demo.ROAD)
    assert road.procedure == "decisions.five_step" and road.stage == "implemented" and road.result_on
    assert [m.action for m in road.meetings.all()] == [
        "propose",
        "discuss",
        "review",
        "township_approve",
        "resolve",
        "disclose",
        "implement",
    ]
    vetoed = Matter.objects.get(title=demo.VETOED)
    assert vetoed.outcome == Outcome.VETOED and not vetoed.meetings.filter(action="resolve").exists()
    assert Matter.objects.filter(outcome=Outcome.RUNNING).count() >= 3
    assert queries.decided_matters(road.org)[0].id in {
        m.pk for m in Matter.objects.filter(village=road.village)
    }
    villages = Matter.objects.values_list("village", flat=True).distinct()
    assert len(villages) >= 3
    with_problems = [
        v
        for v in {m.village for m in Matter.objects.select_related("village")}
        if queries.roster_problems(v, demo_county["as_of"])
    ]
    assert with_problems
    text = client.get(reverse("public_decision", args=[road.pk])).content.decode()
    assert demo.ROAD in text and "赞成" in text
