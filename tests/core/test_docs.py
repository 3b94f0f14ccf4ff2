"""Docs that list code facts must not fall behind the code."""

from pathlib import Path

from jiceng.core.indicators import REGISTRY
from jiceng.core.rulepack_default import DEFAULT_RULES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_rule_is_documented():
    text = (DOCS / "rule-packs.md").read_text()
    missing = [k for k in DEFAULT_RULES if f"`{k}`" not in text]
    assert not missing, f"add to docs/rule-packs.md: {missing}"


def test_every_indicator_is_documented():
    text = (DOCS / "indicators.md").read_text()
    missing = [k for k in REGISTRY if f"`{k}`" not in text]
    assert not missing, f"add to docs/indicators.md: {missing}"


def test_every_rule_has_a_source():
    assert all(r.source for r in DEFAULT_RULES.values())
