"""Query counts stay flat as matters and stages grow (no per-row queries)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jiceng.decisions import public, selectors
from tests.decisions.conftest import D0


def test_public_trail_and_lists_do_not_grow_with_stages(dw, client, login, django_assert_max_num_queries):
    ms = []
    for i in range(3):
        m = dw.matter(title=f"事项{i}")
        day = dw.to_reviewed(m)
        dw.stage(m, "resolve", day + dt.timedelta(days=1), **dw.reps_meeting(15, 15))
        dw.stage(m, "disclose", day + dt.timedelta(days=2))
        ms.append(m)
    with django_assert_max_num_queries(4):
        public.trail(ms[0].pk)
    with django_assert_max_num_queries(6):
        public.listing(township=dw.w.town_a.pk, village=None, q="", page=1)
    with django_assert_max_num_queries(3):
        list(selectors.reviews_waiting(actor=dw.township))
    with django_assert_max_num_queries(8):
        selectors.overdue_villages(actor=dw.township, day=D0)
    c = login(dw.sec)
    with django_assert_max_num_queries(25):
        assert c.get(reverse("decisions_list")).status_code == 200
