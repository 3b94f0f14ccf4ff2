from django import template

from jiceng.core.audit import action_labels, field_labels

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
