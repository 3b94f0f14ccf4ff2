"""The member export's flat rows are exactly the rows the model-instance version gave."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from jiceng.core.dates import years_between
from jiceng.people import selectors
from jiceng.people.models import MemberStatus


def _instance_rows(actor, filters) -> list[tuple]:
    """The row builder the flat query replaced (people/views.py, member_export)."""
    from jiceng.core.roles import Perm

    return [
        (
            m.person.name,
            m.person.get_gender_display(),
            m.person.ethnicity,
            None if m.person.birth_date is None else years_between(m.person.birth_date, timezone.localdate()),
            m.person.get_education_display(),
            m.person.id_number_masked,
            m.person.phone_masked,
            m.org.name,
            m.get_status_display(),
            m.joined_on,
            m.full_on,
            m.get_mobility_display(),
            m.mobility_note,
        )
        for m in selectors.member_search(actor=actor, filters=filters, perm=Perm.EXPORT_PERSONAL).iterator(
            chunk_size=2000
        )
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_member_export_rows_equal_the_instance_rows(demo_county, language):
    county = demo_county["county"]
    with translation.override(language):
        for filters in (selectors.MemberFilters(), selectors.MemberFilters(status=MemberStatus.PROBATIONARY)):
            flat = list(selectors.member_export_rows(actor=county, filters=filters))
            assert flat == _instance_rows(county, filters)
            assert flat
    everyone = list(selectors.member_export_rows(actor=county, filters=selectors.MemberFilters()))
    assert len(everyone) > 500 and all("*" in (r[5] or "*") for r in everyone)  # masked only
