import datetime as dt

from django import template
from django.utils import timezone

from jiceng.core.audit import action_labels, field_labels, readable_changes
from jiceng.core.dates import years_between

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.8971 → '89.7%'; None → '—' (a rate over nothing is not zero)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def percent_of(part, total) -> str:
    if not total:
        return "—"
    return f"{part / total * 100:.1f}%"


@register.filter
def field_label(name: str) -> str:
    return str(field_labels().get(name, name))


@register.filter
def action_label(code: str) -> str:
    return str(action_labels().get(code, code))


@register.filter
def readable(entry) -> list[tuple[str, str, str]]:
    """An audit entry's changes as (label, before, after) in the forms' words (core.audit)."""
    return readable_changes(entry)


def _age(birth: dt.date | None) -> int | None:
    return None if birth is None else years_between(birth, timezone.localdate())


@register.filter
def age(birth) -> str:
    """A birth date shown as the age: beside a masked ID number the full date would give back the
    hidden digits (docs/personal-data.md)."""
    years = _age(birth)
    return "—" if years is None else f"{years}岁"


@register.filter
def age_band(birth, bands) -> str:
    """The rule pack's age band ({"label", "min", "max"}) a birth date falls in, for lists."""
    years = _age(birth)
    if years is None:
        return "—"
    for band in bands or ():
        if (band.get("min") is None or years >= band["min"]) and (
            band.get("max") is None or years <= band["max"]
        ):
            return str(band["label"])
    return "—"


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes (rounded up): how long a lock-out lasts."""
    return -(-int(delta.total_seconds()) // 60) if delta else 0


@register.filter
def index(sequence, i):
    """``values|index:n``: the n-th item (the columns of a table built side by side)."""
    try:
        return sequence[int(i)]
    except (IndexError, TypeError, ValueError):
        return None
