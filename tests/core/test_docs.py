"""Docs that list code facts must not fall behind the code."""

from pathlib import Path

from jiceng.core.indicators import registry
from jiceng.core.rulepacks import default_rules

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_rule_is_documented():
    text = (DOCS / "rule-packs.md").read_text()
    missing = [k for k in default_rules() if f"`{k}`" not in text]
    assert not missing, f"add to docs/rule-packs.md: {missing}"


def test_every_indicator_is_documented():
    text = (DOCS / "indicators.md").read_text()
    missing = [k for k in registry() if f"`{k}`" not in text]
    assert not missing, f"add to docs/indicators.md: {missing}"


def test_every_rule_has_a_source():
    assert all(r.source for r in default_rules().values())
