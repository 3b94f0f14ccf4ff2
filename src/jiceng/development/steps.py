"""The 25 steps of member development in five stages (中国共产党发展党员工作细则, 2014), as data:
the workflow (workflows.py), the board, the step form and docs/development.md all read this list.

Each step: its number, code (the workflow action), stage, label, what it records and the rule the
service checks (rules.py holds the numbers)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepDef:
    number: int
    code: str
    stage: str  # applicant | activist | candidate | admission | probation
    label: str
    rule: str  # what is checked, in words (shown on the step form)
    source: str
    by: str  # who records it: branch | committee (the higher, approving committee)
    repeat: bool = False  # may be recorded again (the half-yearly reviews)
    fields: tuple[str, ...] = ()  # the step's own data (forms.py)


STAGES = (
    ("applicant", "入党申请人的确定与培养"),
    ("activist", "入党积极分子的确定和培养教育"),
    ("candidate", "发展对象的确定和考察"),
    ("admission", "预备党员的接收"),
    ("probation", "预备党员的教育考察和转正"),
)

S = "发展党员工作细则"
STEPS = (
    StepDef(1, "s01_apply", "applicant", "递交入党申请书", "年满18周岁", f"党章第一条；{S}第七条", "branch"),
    StepDef(
        2,
        "s02_talk",
        "applicant",
        "党组织派人谈话",
        "收到申请书后一个月内谈话",
        f"{S}第八条",
        "branch",
        fields=("people",),
    ),
    StepDef(
        3,
        "s03_activist",
        "activist",
        "确定入党积极分子",
        "谈话之后；党员推荐或群团组织推优，支部委员会研究决定",
        f"{S}第九条、第十条",
        "branch",
        fields=("method",),
    ),
    StepDef(
        4, "s04_activist_filed", "activist", "报上级党委备案", "确定积极分子之后", f"{S}第十条", "committee"
    ),
    StepDef(
        5,
        "s05_guides",
        "activist",
        "指定培养联系人",
        "一至二名正式党员",
        f"{S}第十一条",
        "branch",
        fields=("guides",),
    ),
    StepDef(
        6,
        "s06_review",
        "activist",
        "培养教育考察",
        "每半年考察一次",
        f"{S}第十二条",
        "branch",
        repeat=True,
    ),
    StepDef(
        7,
        "s07_candidate",
        "candidate",
        "确定发展对象",
        "经过一年以上培养教育和考察，每半年均有考察记录",
        f"{S}第十三条",
        "branch",
    ),
    StepDef(
        8,
        "s08_candidate_filed",
        "candidate",
        "报上级党委备案",
        "确定发展对象之后",
        f"{S}第十三条",
        "committee",
    ),
    StepDef(
        9,
        "s09_introducers",
        "candidate",
        "确定入党介绍人",
        "两名正式党员（不同于培养联系人这一角色）",
        f"{S}第十四条",
        "branch",
        fields=("introducers",),
    ),
    StepDef(
        10,
        "s10_political_review",
        "candidate",
        "进行政治审查",
        "形成结论性政审材料",
        f"{S}第十五条、第十六条",
        "branch",
    ),
    StepDef(
        11,
        "s11_training",
        "candidate",
        "开展集中培训",
        "不少于3天或不少于24个学时",
        f"{S}第十七条",
        "branch",
        fields=("days", "hours"),
    ),
    StepDef(
        12,
        "s12_branch_check",
        "admission",
        "支部委员会审查",
        "入党介绍人、政治审查、集中培训均已完成",
        f"{S}第十八条",
        "branch",
    ),
    StepDef(
        13,
        "s13_precheck",
        "admission",
        "上级党委预审（含公示）",
        "公示不少于规定的工作日；流动的农民工在户籍地和工作地两地公示",
        f"{S}第十九条",
        "committee",
        fields=("notice_from", "notice_to", "host_notice"),
    ),
    StepDef(
        14, "s14_volunteer_form", "admission", "填写入党志愿书", "预审合格之后", f"{S}第二十条", "branch"
    ),
    StepDef(
        15,
        "s15_branch_vote",
        "admission",
        "支部大会讨论",
        "到会有表决权的正式党员超过应到的半数，赞成票超过应到有表决权正式党员的半数；预备党员不计数、不表决；"
        "因故不能到会的正式党员书面意见计入",
        f"{S}第二十一条至第二十三条",
        "branch",
        fields=("votes",),
    ),
    StepDef(
        16,
        "s16_interview",
        "admission",
        "上级党委派人谈话",
        "支部大会通过之后、审批之前",
        f"{S}第二十四条",
        "committee",
    ),
    StepDef(
        17,
        "s17_approval",
        "admission",
        "上级党委审批",
        "支部大会通过后三个月内审批，特殊情况可延长，最长不超过六个月",
        f"{S}第二十五条",
        "committee",
    ),
    StepDef(
        18,
        "s18_approval_filed",
        "admission",
        "再上一级党委组织部门备案",
        "审批之后",
        f"{S}第二十六条",
        "committee",
    ),
    StepDef(19, "s19_placed", "probation", "编入党支部和党小组", "审批之后", f"{S}第二十七条", "branch"),
    StepDef(20, "s20_oath", "probation", "入党宣誓", "审批之后", f"{S}第二十八条", "branch"),
    StepDef(
        21, "s21_review", "probation", "继续教育考察", "预备期内", f"{S}第二十九条", "branch", repeat=True
    ),
    StepDef(
        22,
        "s22_conversion_application",
        "probation",
        "提出转正申请",
        "预备期满前规定日数之内或期满之后",
        f"{S}第三十条",
        "branch",
    ),
    StepDef(
        23,
        "s23_conversion_vote",
        "probation",
        "支部大会讨论转正",
        "预备期满之后；表决规则同接收预备党员；决议为按期转正、延长预备期（半年至一年）或取消预备党员资格",
        f"{S}第三十一条、第三十二条",
        "branch",
        fields=("votes", "decision", "extension_months"),
    ),
    StepDef(
        24,
        "s24_conversion_approval",
        "probation",
        "上级党委审批",
        "支部大会讨论后三个月内审批；转正时间自预备期满之日算起",
        f"{S}第三十三条；党章第七条",
        "committee",
    ),
    StepDef(25, "s25_archive", "probation", "材料归档", "转正之后", f"{S}第三十四条", "branch"),
)

BY_CODE = {s.code: s for s in STEPS}
assert len(STEPS) == 25 and [s.number for s in STEPS] == list(range(1, 26))
