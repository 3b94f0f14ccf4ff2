"""Money in fen shown as 元 with two decimals."""

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    if fen in (None, ""):
        return "—"
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"
