"""Grading's rules of the default pack, with the validators their overrides must pass."""

from __future__ import annotations

from typing import Any

from jiceng.core.kit import Rule, RuleField, RuleValueError, record, rows, scalar
from jiceng.core.rulepacks import fraction, is_number, keyed_parts, one_of, positive_int, subset_of

WEIGHT_KEYS = ("compliance", "participation", "education", "committee")
WEAK_SIGNS = ("silent", "main_leader_vacant")
SCHEMES = ("abc", "four_level", "five_star")

# how the rule page names the codes (kit.Shape)
_SCHEME_CHOICES = (
    ("abc", "ABC分级（A类、B类、C类）"),
    ("four_level", "四级（好、较好、一般、软弱涣散）"),
    ("five_star", "星级（五星至一星）"),
)
_WEAK_SIGN_CHOICES = (
    ("silent", "有支部超过规定月数未正常开展组织生活"),
    ("main_leader_vacant", "主要负责人缺位"),
)


def weights(value: Any) -> None:
    if (
        not isinstance(value, dict)
        or set(value) != set(WEIGHT_KEYS)
        or not all(is_number(v) for v in value.values())
        or sum(value.values()) != 100
        or min(value.values()) < 0
    ):
        raise RuleValueError("应为 compliance、participation、education、committee 四项非负权重，合计100。")


def schemes(value: Any) -> None:
    if not isinstance(value, dict) or not set(SCHEMES) <= set(value):
        raise RuleValueError(f"应为方案表，至少含 {'、'.join(SCHEMES)} 三个方案（grading.scheme 从中选一）。")
    for levels in value.values():
        keyed_parts(levels)  # every level a key and a label, no key twice
        scores = [lv.get("min_score") for lv in levels]
        if (
            len(scores) < 2
            or not all(is_number(s) for s in scores)
            or scores != sorted(scores, reverse=True)
            or len(set(scores)) != len(scores)
            or scores[-1] != 0
        ):
            raise RuleValueError("每个方案的等次应从高到低排列，分数线递减，最后一等分数线为0。")


RULES = (
    Rule(
        "grading.scheme",
        "four_level",
        "支部评定等次方案",
        "001（ABC分级）、000-R2（好/较好/一般/软弱涣散）、000-R3（五星支部）",
        local=True,
        validate=one_of(SCHEMES, "应为 abc、four_level 或 five_star。"),
        shape=scalar("choice", choices=_SCHEME_CHOICES),
    ),
    Rule(
        "grading.schemes",
        {
            "abc": [
                {"key": "A", "label": "A类", "min_score": 85},
                {"key": "B", "label": "B类", "min_score": 60},
                {"key": "C", "label": "C类", "min_score": 0},
            ],
            "four_level": [
                {"key": "good", "label": "好", "min_score": 85},
                {"key": "fairly_good", "label": "较好", "min_score": 70},
                {"key": "average", "label": "一般", "min_score": 55},
                {"key": "weak", "label": "软弱涣散", "min_score": 0},
            ],
            "five_star": [
                {"key": "5", "label": "五星", "min_score": 90},
                {"key": "4", "label": "四星", "min_score": 80},
                {"key": "3", "label": "三星", "min_score": 70},
                {"key": "2", "label": "二星", "min_score": 60},
                {"key": "1", "label": "一星", "min_score": 0},
            ],
        },
        "各等次方案的等次与分数线（从高到低，最后一等为后进/软弱涣散）",
        "001、000-R2、000-R3；分数线为地方做法",
        local=True,
        validate=schemes,
        shape=rows(
            RuleField("scheme", "方案", type="choice", choices=_SCHEME_CHOICES),
            RuleField("key", "代码", type="code"),
            RuleField("label", "等次", type="text"),
            RuleField("min_score", "分数线", type="number", unit="分"),
            grouped_by="scheme",
            words="{label} {min_score}及以上",
        ),
    ),
    Rule(
        "grading.weights",
        {"compliance": 40, "participation": 30, "education": 20, "committee": 10},
        "评定得分权重（合计100）",
        "地方做法；依据 000-R2、000-R3 所列指标",
        local=True,
        validate=weights,
        shape=record(
            RuleField("compliance", "组织生活按期开展率", type="number", unit="分"),
            RuleField("participation", "党员参与率", type="number", unit="分"),
            RuleField("education", "党员教育覆盖率", type="number", unit="分"),
            RuleField("committee", "党组织委员配备率", type="number", unit="分"),
        ),
    ),
    Rule(
        "grading.weak_signs",
        list(WEAK_SIGNS),
        "直接列为最低等次的情形",
        "000-R2：半年以上未正常开展组织生活；主要负责人长期缺位",
        local=True,
        validate=subset_of(WEAK_SIGNS, "应为 silent、main_leader_vacant 的组合。"),
        shape=scalar("choices", choices=_WEAK_SIGN_CHOICES),
    ),
    Rule(
        "grading.unit",
        "village",
        "参与评定的单位",
        "001：村（社区）党组织ABC分级",
        local=True,
        validate=one_of(("village", "branch"), "应为 village 或 branch。"),
        shape=scalar("choice", choices=(("village", "各村（社区）党组织"), ("branch", "全部党支部"))),
    ),
    Rule(
        "grading.bottom_share",
        0.10,
        "后进/软弱涣散党组织倒排比例（不低于）",
        "种子报告 001、004-P9",
        local=True,
        validate=fraction,
        shape=scalar("percent"),
    ),
    Rule(
        "grading.party_seats_target",
        3,
        "村（社区）党组织班子配备的目标人数（班子配备一项按 实有/目标 计分）",
        "地方做法：村党组织委员会一般设委员3至5名（中国共产党农村基层组织工作条例 第七条）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="人"),
    ),
)
