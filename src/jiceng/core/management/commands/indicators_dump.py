"""Print every registered indicator of every party committee as JSON, computed from the rows.

    jiceng manage indicators_dump --period 2026-Q3 --period 2026-10 [--output file.json]

For checking a change against a recorded run (tests/golden/) and for comparing two databases.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from jiceng.core import indicators
from jiceng.core.models import Org, OrgKind
from jiceng.core.periods import parse_period


def dump(periods: list[str], kinds: list[str]) -> dict:
    names = sorted(indicators.registry())
    out: dict = {}
    for org in Org.objects.filter(kind__in=kinds).order_by("path"):
        per_org = out[f"{org.path} {org.name}"] = {}
        for text in periods:
            values = indicators.compute_live(names, org, parse_period(text))
            per_org[text] = {name: {"value": v.value, "numerator": v.numerator, "denominator": v.denominator,
                                    "parts": [[p.key, p.value] for p in v.parts]}
                             for name, v in values.items()}
    return out


class Command(BaseCommand):
    help = "Every indicator of every party committee (or --kind) for the given periods, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--period", action="append", required=True)
        parser.add_argument("--kind", action="append", default=None, help="org kinds (default: committee)")
        parser.add_argument("--output", default="-")

    def handle(self, *args, period, kind, output, **options):
        data = dump(period, kind or [OrgKind.COMMITTEE])
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        if output == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
