"""The public pages: only disclosed matters, the whole trail with counts and votes, the result
later, and no personal data (a known attendee's name and phone are absent)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jiceng.core import crypto
from jiceng.people.models import Person
from tests.decisions.conftest import D0


def test_public_trail_without_personal_data(dw, client):
    m = dw.matter(title="村道修缮工程")
    day = dw.to_reviewed(m)
    url = reverse("public_decision", args=[m.pk])
    assert client.get(url).status_code == 404  # not disclosed yet
    dw.stage(m, "resolve", day + dt.timedelta(days=1), **dw.reps_meeting(15, 14))
    assert client.get(url).status_code == 404  # decided, not yet disclosed
    dw.stage(m, "disclose", day + dt.timedelta(days=2), names="青山建筑队")
    text = client.get(url).content.decode()
    assert "村道修缮工程" in text and "赞成 14" in text and "应到 15" in text
    attendee = Person.objects.get(pk=dw.reps[0])
    phone = crypto.decrypt(attendee.phone_ciphertext, field="phone")
    assert attendee.name not in text and phone not in text and attendee.phone_masked not in text
    assert "张三" not in text
    assert 'id="public-result"' not in text
    dw.stage(m, "implement", day + dt.timedelta(days=30), minutes="完成硬化1.2公里，决算11.8万元")
    text = client.get(url).content.decode()
    assert "决算11.8万元" in text and 'id="public-result-on"' in text
    listing = client.get(reverse("public_decisions") + f"?township={dw.w.town_a.pk}").content.decode()
    assert f'data-matter="{m.pk}"' in listing
    listing = client.get(
        reverse("public_decisions") + f"?village={dw.w.village_a.pk}&q=修缮"
    ).content.decode()
    assert f'data-matter="{m.pk}"' in listing


def test_names_only_within_the_display_period(dw):
    from jiceng.decisions import public

    m = dw.matter()
    day = dw.to_reviewed(m, D0)
    dw.stage(m, "resolve", day + dt.timedelta(days=1), **dw.reps_meeting(15, 15))
    dw.stage(m, "disclose", day + dt.timedelta(days=2), names="承包人：青山建筑队")
    on = day + dt.timedelta(days=2)
    assert public.trail(m.pk, today=on + dt.timedelta(days=7)).stages[-1].names
    assert not public.trail(m.pk, today=on + dt.timedelta(days=8)).stages[-1].names
    assert public.trail(m.pk, today=on + dt.timedelta(days=400)) is not None  # still public
