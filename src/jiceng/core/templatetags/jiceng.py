from django import template

from jiceng.core.audit import ACTION_LABELS, FIELD_LABELS

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
    return str(FIELD_LABELS.get(name, name))


@register.filter
def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
