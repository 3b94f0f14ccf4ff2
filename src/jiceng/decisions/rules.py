"""The village decision rules of the default pack: 村民委员会组织法 (2018) 第二十一、二十二、二十四、
二十五、二十六条, 农村土地承包法 (2018) 第十九、二十八、五十二条, 城市居民委员会组织法 (2018) 第十条;
the members' meeting's count after the development app's branch assembly (local practice, marked).

A share is a fraction {num, den} compared in integers: "过半数" (more than) or "以上" (at least,
the number itself included, as Chinese law reads it) — which one is fixed by the law and named in
each rule's label."""

from __future__ import annotations

from typing import Any

from jiceng.core.kit import Rule, RuleField, RuleValueError, record, rows, scalar
from jiceng.core.rulepacks import is_int, positive_int


def _fraction(value: Any) -> None:
    if not (isinstance(value, dict) and set(value) == {"num", "den"}):
        raise RuleValueError("应为分数 {num: 分子, den: 分母}。")
    if not (is_int(value["num"]) and is_int(value["den"]) and 0 < value["num"] <= value["den"] <= 1000):
        raise RuleValueError("分子、分母应为正整数，分子不大于分母。")


def _band(value: Any) -> None:
    if not (isinstance(value, dict) and set(value) == {"min", "max"}):
        raise RuleValueError("应为 {min: 最少户数, max: 最多户数}。")
    if not (is_int(value["min"]) and is_int(value["max"]) and 0 < value["min"] <= value["max"] <= 1000):
        raise RuleValueError("最少、最多户数应为正整数，最少不大于最多。")


def _types(value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise RuleValueError("应为事项类型表（代码 → 名称、是否须三分之二、是否只能由村民会议决定）。")
    for code, row in value.items():
        if not (isinstance(code, str) and 0 < len(code) <= 40 and code.isascii()):
            raise RuleValueError("事项类型代码应为不超过40个字符的英文代码。")
        if not (isinstance(row, dict) and isinstance(row.get("name"), str) and 0 < len(row["name"]) <= 100):
            raise RuleValueError(f"事项类型“{code}”：名称不能为空，不超过100字。")
        for k in ("two_thirds_all", "assembly_only"):
            if not isinstance(row.get(k), bool):
                raise RuleValueError(f"事项类型“{code}”：{k} 应为是/否。")


def _frac(num: int, den: int) -> dict[str, int]:
    return {"num": num, "den": den}


FRACTION = record(RuleField("num", "分子"), RuleField("den", "分母"), words="{num}/{den}")

# 村民委员会组织法 第二十四条 (the matters a 村民会议 decides; it may authorise the 村民代表会议)
MATTER_TYPES = {
    "income_use": {
        "name": "本村享受误工补贴的人员及补贴标准、集体经济所得收益的使用",
        "two_thirds_all": False,
        "assembly_only": False,
    },
    "public_works": {
        "name": "村公益事业的兴办和筹资筹劳方案及建设承包方案",
        "two_thirds_all": False,
        "assembly_only": False,
    },
    "land_contracting": {
        "name": "土地承包经营方案（含承包期内的调整）",
        "two_thirds_all": True,
        "assembly_only": False,
    },
    "collective_project": {
        "name": "村集体经济项目的立项、承包方案",
        "two_thirds_all": False,
        "assembly_only": False,
    },
    "homestead": {"name": "宅基地的使用方案", "two_thirds_all": False, "assembly_only": False},
    "land_compensation": {
        "name": "征地补偿费的使用、分配方案",
        "two_thirds_all": False,
        "assembly_only": False,
    },
    "asset_disposal": {
        "name": "以借贷、租赁或者其他方式处分村集体财产",
        "two_thirds_all": False,
        "assembly_only": False,
    },
    "outside_contracting": {
        "name": "将农村土地发包给本集体经济组织以外的单位或者个人承包",
        "two_thirds_all": True,
        "assembly_only": False,
    },
    "other": {
        "name": "村民会议认为应当由村民会议讨论决定的涉及村民利益的其他事项",
        "two_thirds_all": False,
        "assembly_only": True,
    },
}

RULES = (
    Rule(
        "decisions.matter_types",
        MATTER_TYPES,
        "重大事项类型（是否须全体成员或全体村民代表三分之二以上同意；是否只能由村民会议决定）",
        "村民委员会组织法 第二十四条（村民会议讨论决定的事项，可授权村民代表会议）；农村土地承包法 第十九条、"
        "第二十八条、第五十二条（承包方案、承包期内调整、发包给本集体经济组织以外的：村民会议三分之二以上成员或者"
        "三分之二以上村民代表同意）",
        validate=_types,
        shape=rows(
            RuleField("code", "代码", type="code"),
            RuleField("name", "名称", type="text"),
            RuleField("two_thirds_all", "须全体三分之二以上同意", type="bool"),
            RuleField("assembly_only", "只能由村民会议决定", type="bool"),
            keyed_by="code",
        ),
    ),
    Rule(
        "decisions.notice_days",
        10,
        "召开村民会议至少提前几日通知村民",
        "村民委员会组织法 第二十一条：召集村民会议，应当提前十天通知村民",
        validate=positive_int,
        shape=scalar("int", unit="日"),
    ),
    Rule(
        "decisions.demand_villagers",
        _frac(1, 10),
        "提议召集村民会议的村民比例（以上，含本数）",
        "村民委员会组织法 第二十一条：有十分之一以上的村民或者三分之一以上的村民代表提议，应当召集村民会议",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.demand_representatives",
        _frac(1, 3),
        "提议召集村民会议的村民代表比例（以上，含本数）",
        "村民委员会组织法 第二十一条：有十分之一以上的村民或者三分之一以上的村民代表提议，应当召集村民会议",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.villagers_quorum_adults",
        _frac(1, 2),
        "村民会议出席：本村十八周岁以上村民出席须超过的比例（过半数，不含本数）",
        "村民委员会组织法 第二十二条：应当有本村十八周岁以上村民的过半数，或者本村三分之二以上的户的代表参加",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.villagers_quorum_households",
        _frac(2, 3),
        "村民会议出席：户的代表须达到的比例（以上，含本数）",
        "村民委员会组织法 第二十二条：应当有本村十八周岁以上村民的过半数，或者本村三分之二以上的户的代表参加",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.villagers_majority",
        _frac(1, 2),
        "村民会议决定：到会人员同意须超过的比例（过半数）",
        "村民委员会组织法 第二十二条：村民会议所作决定应当经到会人员的过半数通过",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.representatives_quorum",
        _frac(2, 3),
        "村民代表会议出席：组成人员须达到的比例（以上，含本数）",
        "村民委员会组织法 第二十六条：村民代表会议有三分之二以上的组成人员参加方可召开",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.representatives_majority",
        _frac(1, 2),
        "村民代表会议决定：到会人员同意须超过的比例（过半数）",
        "村民委员会组织法 第二十六条：所作决定应当经到会人员的过半数同意",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.two_thirds_all",
        _frac(2, 3),
        "承包方案及其调整：同意者须达到全体成员（或全体村民代表）的比例（以上，含本数；不是到会人数）",
        "农村土地承包法 第十九条、第二十八条、第五十二条：经本集体经济组织成员的村民会议三分之二以上成员或者"
        "三分之二以上村民代表的同意",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.residents_quorum",
        _frac(1, 2),
        "居民会议出席：十八周岁以上居民、户的代表或居民小组代表须超过的比例（过半数）",
        "城市居民委员会组织法 第十条：居民会议必须有全体十八周岁以上的居民、户的代表或者居民小组选举的代表的"
        "过半数出席，才能举行",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.residents_majority",
        _frac(1, 2),
        "居民会议决定：出席人同意须超过的比例（过半数）",
        "城市居民委员会组织法 第十条：会议的决定，由出席人的过半数通过",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.members_quorum",
        _frac(1, 2),
        "党员大会审议：到会有表决权的正式党员须超过应到会人数的比例（过半数）",
        "参照发展党员工作细则 第二十三条（支部大会：有表决权的到会人数必须超过应到会有表决权人数的半数）；"
        "四议两公开党员大会审议的计数未见全国统一规定（地方做法，待核实）",
        local=True,
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.members_majority",
        _frac(1, 2),
        "党员大会审议：赞成须超过应到会有表决权的正式党员的比例（过半数；预备党员不表决）",
        "参照发展党员工作细则 第二十三条（赞成人数超过应到会有表决权的正式党员的半数）；党章 第五条、第七条"
        "（预备党员没有表决权）（地方做法，待核实）",
        local=True,
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.committee_quorum",
        _frac(1, 2),
        "村党组织会议、两委会议：到会须超过应到会人数的比例（过半数），决定须超过到会人数的比例",
        "各地四议两公开工作法通行做法：村党组织提议、两委会议商议须过半数成员到会，过半数同意（地方做法，待核实）",
        local=True,
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.representative_households",
        {"min": 5, "max": 15},
        "村民代表：每几户推选一人（或由各村民小组推选若干人）",
        "村民委员会组织法 第二十五条：村民代表由村民按每五户至十五户推选一人，或者由各村民小组推选若干人",
        validate=_band,
        shape=record(
            RuleField("min", "最少", unit="户"),
            RuleField("max", "最多", unit="户"),
            words="每{min}至{max}户一人",
        ),
    ),
    Rule(
        "decisions.representative_share",
        _frac(4, 5),
        "村民代表占村民代表会议组成人员的比例（以上，含本数）",
        "村民委员会组织法 第二十五条：村民代表应当占村民代表会议组成人员的五分之四以上",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.women_share",
        _frac(1, 3),
        "妇女村民代表占村民代表会议组成人员的比例（以上，含本数）",
        "村民委员会组织法 第二十五条：妇女村民代表应当占村民代表会议组成人员的三分之一以上",
        validate=_fraction,
        shape=FRACTION,
    ),
    Rule(
        "decisions.representative_meeting_months",
        3,
        "村民代表会议至少每几个月召开一次",
        "村民委员会组织法 第二十六条：村民代表会议每季度召开一次",
        validate=positive_int,
        shape=scalar("int", unit="个月"),
    ),
    Rule(
        "decisions.display_days",
        7,
        "公开页显示决议、实施结果须列明的姓名（承包人、补贴对象等）的天数（事项本身长期公开）",
        "最低生活保障审核确认办法（2021）第十九条 公示期7天，借用于各项点名公开（与 disclosure.names_display_days "
        "一致，地方做法，待核实）；村民委员会组织法 第三十条（重大事项随时公开）",
        local=True,
        validate=positive_int,
        shape=scalar("int", unit="日"),
    ),
)
