"""Print every registered indicator of every party committee as JSON, computed from the rows.

    jiceng manage indicators_dump --period 2026-Q3 --period 2026-10 [--kind branch] [--together]
                                  [--output file.json]

For checking a change against a recorded run (tests/golden/) and for comparing two databases.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from jiceng.core import indicators
from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import parse_period


def _plain(v) -> dict:
    return {
        "value": v.value,
        "numerator": v.numerator,
        "denominator": v.denominator,
        "parts": [[p.key, p.value] for p in v.parts],
    }


def dump(periods: list[str], kinds: list[str], *, together: bool = False) -> dict:
    """``together``: every organisation's values from one grouped computation per indicator
    (indicators.compute_units), instead of one subtree at a time."""
    names = sorted(indicators.registry())
    orgs = list(Org.objects.filter(kind__in=kinds).select_related("area").order_by("path"))
    out: dict = {f"{org.path} {org.name}": {} for org in orgs}
    for text in periods:
        period = parse_period(text)
        if together:
            values = indicators.compute_units(names, orgs, period)
            for org in orgs:
                out[f"{org.path} {org.name}"][text] = {name: _plain(values[name][org.pk]) for name in names}
        else:
            for org in orgs:
                live = indicators.compute_live(names, org, period)
                out[f"{org.path} {org.name}"][text] = {name: _plain(v) for name, v in live.items()}
    return out


class Command(BaseCommand):
    help = "Every indicator of every party committee (or --kind) for the given periods, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--period", action="append", required=True)
        parser.add_argument("--kind", action="append", default=None, help="org kinds (default: committee)")
        parser.add_argument("--output", default="-")
        parser.add_argument(
            "--together",
            action="store_true",
            help="compute every organisation at once (grouped), not one subtree at a time",
        )

    def handle(self, *args, period, kind, output, together, **options):
        data = dump(period, kind or [OrgKind.COMMITTEE], together=together)
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        if output == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
