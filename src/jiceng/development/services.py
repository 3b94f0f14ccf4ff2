"""Member development writes: an application opens a record, each later step of the 25 is recorded
through ``record_step``, which checks who may record it and every rule of it (``step_problems``,
also the workflow's guard), then writes the step, the stage dates, the links and — at the higher
committee's approval and at conversion — the member through people's services, in one transaction
with one audit entry (the workflow engine's).

A time rule broken is refused with the first date it becomes allowed; an officer holding
``development_exception`` may record the step anyway with a reason, kept on the step and audited.
Age, the votes, the introducers and the order of the steps have no exception."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiceng.core import audit, photos, workdays, workflows
from jiceng.core.dates import months_after, years_after, years_between
from jiceng.core.errors import DomainError, ErrorCollector, NotFound
from jiceng.core.identifiers import parse_id_number
from jiceng.core.models import Org, OrgKind, WorkflowInstance
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org
from jiceng.people import queries as people_queries
from jiceng.people import services as people_services

from .models import Applicant, Link, LinkRole, Plan, Stage, Step, StepPhoto
from .plugin import APPROVE, DEVELOP
from .steps import BY_CODE
from .workflows import EXCEPTION_PERM, KEY, MOVES, OTHER, OTHER_CODES, WAIVABLE

PHOTO_KIND = "development"
METHODS = {"member": "党员推荐", "mass_org": "群团组织推优"}
DECISIONS = {"convert": "按期转正", "extend": "延长预备期", "cancel": "取消预备党员资格"}
MAX_PHOTOS = 6


@dataclass
class StepIn:
    """What a user records for one step; ``data`` holds the step's own values (steps.StepDef.fields)."""

    code: str
    on: dt.date | None
    people: str = ""
    document: str = ""
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    exception_reason: str = ""


def _today() -> dt.date:
    return timezone.localdate()


def _instance(applicant: Applicant) -> WorkflowInstance:
    return WorkflowInstance.objects.select_related("definition", "org").get(
        target_type="development.applicant", target_id=str(applicant.pk)
    )


def _steps(applicant: Applicant, code: str) -> list[Step]:
    return [s for s in applicant.steps.all() if s.code == code]


def _last(applicant: Applicant, code: str) -> Step | None:
    found = _steps(applicant, code)
    return found[-1] if found else None


def _entitled(org: Org, on: dt.date) -> int:
    """Full members of the branch on the day: those entitled to vote (probationary members are not)."""
    return people_queries.full_memberships_on(on).filter(org__path__startswith=org.path).count()


def _full_member_ids(org: Org, on: dt.date, ids: list[int]) -> set[int]:
    return set(
        people_queries.full_memberships_on(on)
        .filter(org__path__startswith=org.path, member_id__in=ids)
        .values_list("member_id", flat=True)
    )


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _may_record(actor, applicant: Applicant, code: str) -> str | None:
    """Who records which step: the branch's own steps by whoever develops members there (for a
    migrant worker's reviews, also the host organisation); the committee's by whoever approves."""
    by = (
        "committee"
        if code.startswith(("s24_", "cancel"))
        else BY_CODE[code].by
        if code in BY_CODE
        else "branch"
    )
    if code == "s15_vote_failed":
        by = "branch"
    if by == "committee":
        if can_access_org(actor, APPROVE, applicant.org):
            return None
        return "只有上级党委（有审批发展党员权限的组织）可以办理此步骤。"
    if can_access_org(actor, DEVELOP, applicant.org):
        return None
    if (
        code in ("s06_review", "s21_review")
        and applicant.host_org
        and can_access_org(actor, DEVELOP, applicant.host_org)
    ):
        return None  # 接续培养、双向考察 (003): the host organisation reviews too
    return f"只有{applicant.org.name}（或其上级党组织）可以办理此步骤。"


def _votes(errors: list, applicant: Applicant, on: dt.date, data: dict) -> dict | None:
    """The branch assembly's count (细则第二十一至二十三条), from the recorded votes: present are the
    full members at the meeting; probationary members present are recorded, never counted; the
    written opinions of absent full members are votes. Entitled: the branch's full members that day."""
    keys = ("present", "probationary_present", "written", "in_favour", "against", "abstain")
    labels = {
        "present": "到会有表决权的正式党员",
        "probationary_present": "到会预备党员",
        "written": "书面表决意见",
        "in_favour": "赞成",
        "against": "反对",
        "abstain": "弃权",
    }
    got: dict[str, int] = {}
    for k in keys:
        v = _int(data.get(k, 0 if k in ("probationary_present", "written", "against", "abstain") else None))
        if v is None or v < 0:
            errors.append((k, f"{labels[k]}：请填写人数（非负整数）。"))
        else:
            got[k] = v
    if len(got) < len(keys):
        return None
    entitled = _entitled(applicant.org, on)
    got["entitled"] = entitled
    if got["present"] + got["written"] > entitled:
        errors.append(
            (
                "present",
                f"到会有表决权的正式党员：到会{got['present']}人加书面意见{got['written']}份，多于应到会的正式党员{entitled}人。",
            )
        )
        return None
    if got["in_favour"] + got["against"] + got["abstain"] != got["present"] + got["written"]:
        errors.append(
            (
                "in_favour",
                f"赞成：赞成、反对、弃权之和（{got['in_favour'] + got['against'] + got['abstain']}）应等于到会正式党员与书面意见之和"
                f"（{got['present'] + got['written']}），预备党员不表决。",
            )
        )
        return None
    if got["present"] * 2 <= entitled:
        errors.append(
            (
                "present",
                f"到会有表决权的正式党员：{got['present']}人，未超过应到会的{entitled}人的半数，会议不能表决"
                "（细则第二十三条；书面意见和到会预备党员不计入到会人数）。",
            )
        )
        return None
    got["passed"] = got["in_favour"] * 2 > entitled
    return got


def _after(errors: list, on: dt.date, earliest: dt.date | None, what: str) -> None:
    if earliest and on < earliest:
        errors.append(("on", f"日期：不能早于{what}（{earliest:%Y-%m-%d}）。"))


def _date(value: Any) -> dt.date | None:
    """A date, or the ISO text of one (the engine keeps the step's data as JSON)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _json_safe(data: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


def step_problems(instance, actor, data: dict) -> list[tuple[str, str]]:
    """Every reason the step in ``data`` cannot be recorded now, as (field, message); the rules are
    read from the pack at the branch. The workflow's guard and ``record_step`` both call it."""
    code = data.get("code")
    if not code:
        return [("action", "发展党员的步骤须通过发展党员功能办理。")]
    applicant = Applicant.objects.select_related("org", "person", "host_org").get(pk=instance.target_id)
    spec = workflows.spec_of(instance.definition)
    t = spec.transition(code)
    if t is None or instance.state not in t.sources:
        here = spec.state(instance.state).label
        return [("action", f"当前环节“{here}”不能办理“{t.label if t else code}”：步骤不能跳过或颠倒。")]
    if code not in BY_CODE and code not in OTHER_CODES:  # a county's own stage: its way on
        if can_access_org(actor, DEVELOP, applicant.org):
            return []
        return [("action", f"只有{applicant.org.name}（或其上级党组织）可以办理此步骤。")]
    who = _may_record(actor, applicant, code)
    if who:
        return [("action", who)]
    on = _date(data.get("on"))
    if on is None:
        return [("on", "日期：必填。")]
    hard: list[tuple[str, str]] = []
    timed: list[tuple[str, str]] = []  # time rules: waivable with a reason
    if on > _today():
        hard.append(("on", "日期：不能晚于今天。"))
    org = applicant.org
    r = lambda key: rule(f"development.{key}", org)  # noqa: E731
    # the step being written (the engine checks again inside the write) is not its own predecessor
    last_on = max(
        (s.done_on for s in applicant.steps.all() if s.pk != data.get("_record")),
        default=applicant.applied_on,
    )
    if code not in ("s06_review", "s21_review"):
        _after(hard, on, last_on, "上一步骤的日期")
    else:
        _after(
            hard, on, applicant.activist_on if code == "s06_review" else applicant.approved_on, "本阶段开始"
        )

    if code == "s02_talk":
        limit = months_after(applicant.applied_on, r("talk_within_months"))
        if on > limit:
            timed.append(
                (
                    "on",
                    f"日期：应在收到入党申请书后{r('talk_within_months')}个月内（{limit:%Y-%m-%d}前）谈话（细则第八条）。",
                )
            )
        if not str(data.get("people") or "").strip():
            hard.append(("people", "谈话人：必填。"))
    elif code == "s03_activist":
        if data.get("method") not in METHODS:
            hard.append(("method", "推荐方式：请选择党员推荐或群团组织推优（细则第九条）。"))
    elif code == "s05_guides":
        hard += _links(applicant, on, data.get("guides"), "guides", 1, r("guides_max"), "培养联系人")
    elif code in ("s06_review", "s21_review"):
        if not str(data.get("note") or "").strip():
            hard.append(("note", "考察意见：必填。"))
    elif code == "s07_candidate":
        assert applicant.activist_on is not None
        ready = years_after(applicant.activist_on, r("activist_min_years"))
        if on < ready:
            timed.append(
                (
                    "on",
                    f"日期：确定为入党积极分子（{applicant.activist_on:%Y-%m-%d}）满{r('activist_min_years')}年后才能列为发展对象"
                    f"（细则第十三条），最早 {ready:%Y-%m-%d}。",
                )
            )
        every = r("review_months")
        months = (on.year - applicant.activist_on.year) * 12 + on.month - applicant.activist_on.month
        months -= on.day < applicant.activist_on.day
        needed = max(months // every, 0)
        done = sum(1 for s in _steps(applicant, "s06_review") if s.done_on <= on)
        if done < needed:
            timed.append(
                (
                    "on",
                    f"培养考察：每{every}个月应考察一次，至此应有{needed}次考察记录，现有{done}次（细则第十二条）。",
                )
            )
    elif code == "s09_introducers":
        n = r("introducers")
        hard += _links(applicant, on, data.get("introducers"), "introducers", n, n, "入党介绍人")
    elif code == "s10_political_review":
        if not str(data.get("document") or "").strip():
            hard.append(("document", "政审材料：请填写政治审查结论材料的名称或编号（细则第十六条）。"))
    elif code == "s11_training":
        days, hours = _int(data.get("days") or 0), _int(data.get("hours") or 0)
        if days is None or hours is None:
            hard.append(("days", "培训天数和学时：请填写非负整数。"))
        elif days < r("training_min_days") and hours < r("training_min_hours"):
            timed.append(
                (
                    "days",
                    f"培训天数：集中培训应不少于{r('training_min_days')}天或{r('training_min_hours')}个学时，"
                    f"现为{days}天、{hours}学时（细则第十七条）。",
                )
            )
    elif code == "s12_branch_check":
        for need, what in (("s10_political_review", "政治审查"), ("s11_training", "集中培训")):
            if not _steps(applicant, need):
                hard.append(("action", f"支部委员会审查：须先完成{what}（细则第十八条）。"))
    elif code == "s13_precheck":
        start, end = _date(data.get("notice_from")), _date(data.get("notice_to"))
        if start is None or end is None:
            hard.append(("notice_from", "公示起止日期：必填。"))
        elif end < start:
            hard.append(("notice_to", "公示截止日期：不能早于开始日期。"))
        else:
            _after(hard, start, last_on, "支部委员会审查的日期")
            # the notice's working days counting its first day: (start - 1, end]
            eve = start - dt.timedelta(days=1)
            days = workdays.workdays_between(eve, end)
            need = r("notice_workdays")
            if days < need:
                earliest = workdays.add_workdays(eve, need)
                timed.append(
                    (
                        "notice_to",
                        f"公示截止日期：公示应不少于{need}个工作日，现为{days}个，最早 {earliest:%Y-%m-%d} 截止。",
                    )
                )
            if on < end:
                hard.append(("on", f"日期：预审应在公示期满（{end:%Y-%m-%d}）之后。"))
        if applicant.migrant_worker and not str(data.get("host_notice") or "").strip():
            hard.append(
                (
                    "host_notice",
                    "工作地公示：农民工发展对象须在户籍地和工作地两地公示，请填写工作地公示情况或函件（003）。",
                )
            )
    elif code in ("s15_branch_vote", "s15_vote_failed"):
        votes = _votes(hard, applicant, on, data.get("votes") or {})
        if votes is not None:
            if code == "s15_branch_vote" and not votes["passed"]:
                hard.append(
                    (
                        "in_favour",
                        f"赞成：{votes['in_favour']}票，未超过应到会有表决权正式党员{votes['entitled']}人的半数，未通过。",
                    )
                )
            if code == "s15_vote_failed" and votes["passed"]:
                hard.append(("in_favour", "赞成：已超过半数，表决通过。"))
    elif code == "s17_approval":
        assert applicant.admitted_on is not None
        soft, cap = (
            months_after(applicant.admitted_on, r("approval_months")),
            months_after(applicant.admitted_on, r("approval_max_months")),
        )
        if on > cap:
            hard.append(
                (
                    "on",
                    f"日期：支部大会通过（{applicant.admitted_on:%Y-%m-%d}）后审批最长不超过{r('approval_max_months')}个月（{cap:%Y-%m-%d}前），已超期（细则第二十五条）。",
                )
            )
        elif on > soft:
            timed.append(
                (
                    "on",
                    f"日期：应在支部大会通过后{r('approval_months')}个月内（{soft:%Y-%m-%d}前）审批；特殊情况延长须说明理由（细则第二十五条）。",
                )
            )
        if not _steps(applicant, "s16_interview"):
            hard.append(("action", "审批：上级党委须先派人谈话（细则第二十四条）。"))
    elif code == "s22_conversion_application":
        assert applicant.probation_ends_on is not None
        earliest = applicant.probation_ends_on - dt.timedelta(days=r("conversion_apply_days"))
        if on < earliest:
            timed.append(
                (
                    "on",
                    f"日期：预备期至{applicant.probation_ends_on:%Y-%m-%d}届满，转正申请最早 {earliest:%Y-%m-%d} 提出。",
                )
            )
    elif code == "s23_conversion_vote":
        assert applicant.probation_ends_on is not None
        if on < applicant.probation_ends_on:
            hard.append(
                (
                    "on",
                    f"日期：预备期满（{applicant.probation_ends_on:%Y-%m-%d}）后才能讨论转正（党章第七条）。",
                )
            )
        decision = data.get("decision")
        if decision not in DECISIONS:
            hard.append(("decision", "决议：请选择按期转正、延长预备期或取消预备党员资格。"))
        elif decision == "extend":
            ext = _int(data.get("extension_months"))
            lo, hi = r("extension_min_months"), r("extension_max_months")
            if ext is None or not lo <= ext <= hi:
                hard.append(("extension_months", f"延长期限：应为{lo}至{hi}个月（党章第七条）。"))
            elif applicant.steps.filter(code="s24_extension_approval").exists():
                hard.append(("decision", "决议：预备期已延长过一次，不能再次延长。"))
        votes = _votes(hard, applicant, on, data.get("votes") or {})
        if votes is not None and not votes["passed"]:
            hard.append(
                (
                    "in_favour",
                    f"赞成：{votes['in_favour']}票，未超过应到会有表决权正式党员{votes['entitled']}人的半数，决议未通过。",
                )
            )
    elif code.startswith("s24_"):
        vote = _last(applicant, "s23_conversion_vote")
        assert vote is not None
        wanted = {
            "s24_conversion_approval": "convert",
            "s24_extension_approval": "extend",
            "s24_cancellation_approval": "cancel",
        }
        if vote.data.get("decision") != wanted[code]:
            hard.append(("action", f"审批：支部大会的决议是“{DECISIONS[vote.data.get('decision')]}”。"))
        limit = months_after(vote.done_on, r("conversion_approval_months"))
        if on > limit:
            timed.append(
                (
                    "on",
                    f"日期：应在支部大会讨论后{r('conversion_approval_months')}个月内（{limit:%Y-%m-%d}前）审批（细则第三十三条）。",
                )
            )
    elif code in ("end", "cancel") and not str(data.get("note") or "").strip():
        hard.append(("note", "理由：必填。"))

    if timed and data.get("waive_time"):
        timed = []  # the engine checked the exception's right and keeps its reason
    return hard + timed


def _links(
    applicant: Applicant, on: dt.date, ids: Any, field_name: str, lo: int, hi: int, label: str
) -> list:
    ids = [i for i in (ids or []) if _int(i) is not None]
    ids = [int(i) for i in ids]
    out = []
    if len(set(ids)) != len(ids):
        out.append((field_name, f"{label}：同一人不能重复填写。"))
    elif not lo <= len(ids) <= hi:
        out.append(
            (
                field_name,
                f"{label}：应为{lo}名正式党员" if lo == hi else f"{label}：应为{lo}至{hi}名正式党员。",
            )
        )
    else:
        full = _full_member_ids(applicant.org, on, ids)
        if set(ids) - full:
            out.append(
                (
                    field_name,
                    f"{label}：须是本支部（{applicant.org.name}）在{on:%Y-%m-%d}的正式党员，预备党员不能担任。",
                )
            )
    return out


# --- writes --------------------------------------------------------------------------------------


def _text(
    errors: ErrorCollector, name: str, label: str, value: Any, limit: int, *, required: bool = False
) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.add(name, f"{label}：必填。")
    if len(text) > limit:
        errors.add(name, f"{label}：最多{limit}个字（现为{len(text)}个），系统不会截断。")
    return text


@transaction.atomic
def apply(
    *,
    actor,
    org: Org,
    applied_on: dt.date | None,
    person=None,
    person_data: dict[str, Any] | None = None,
    migrant_worker: bool = False,
    host_org: Org | None = None,
    host_outside: str = "",
    document: str = "",
    note: str = "",
) -> Applicant:
    """Step 1: a written application received by a branch. ``person``: someone already registered
    (a resident); else ``person_data`` registers them (people.services.person_create)."""
    if not can_access_org(actor, DEVELOP, org):
        raise NotFound()
    errors = ErrorCollector()
    if org.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
        errors.add("org", "党支部：入党申请由党支部（或党总支）接收。")
    if applied_on is None:
        errors.add("applied_on", "申请日期：必填。")
    elif applied_on > _today():
        errors.add("applied_on", "申请日期：不能晚于今天。")
    host_outside = _text(errors, "host_outside", "工作地党组织", host_outside, 200)
    document = _text(errors, "document", "申请书", document, 100)
    note = _text(errors, "note", "备注", note, 500)
    if host_org is not None and not migrant_worker:
        errors.add("host_org", "工作地党组织：只有外出务工的农民工填写。")
    if host_org is not None and host_outside:
        errors.add("host_outside", "工作地党组织：系统内和系统外只填一个。")
    birth = None
    if person is not None:
        birth = person.birth_date
        if people_queries.members().filter(person=person).exists():
            errors.add("person", f"{person.name}已是党员。")
        elif Applicant.objects.filter(person=person).exclude(stage=Stage.ENDED).exists():
            errors.add("person", f"{person.name}已在发展党员程序中，不能重复登记。")
    elif person_data is None:
        errors.add("person", "申请人：请选择已登记的人员或填写申请人信息。")
    else:
        birth = person_data.get("birth_date")
        info, _msg = parse_id_number(str(person_data.get("id_number") or ""))
        if info is not None:  # the ID number decides (people checks that the two agree)
            birth = info.birth_date
    min_age = rule("people.min_member_age", org)
    if applied_on and birth is None and person is not None:
        errors.add("person", "申请人：档案中没有出生日期，无法核对年满18周岁，请先补充。")
    elif applied_on and birth and years_after(birth, min_age) > applied_on:
        errors.add(
            "applied_on",
            f"申请日期：申请入党须年满{min_age}周岁（党章第一条），申请人{years_after(birth, min_age):%Y-%m-%d}才满{min_age}周岁。",
        )
    errors.raise_if_any()
    if person is None:
        assert person_data is not None
        person = people_services.person_create(actor=actor, **person_data)  # raises with its own fields
        if person.birth_date is None:
            raise DomainError(
                field="birth_date", message="出生日期：必填（或填写身份证号），用于核对年满18周岁。"
            )
    assert applied_on is not None
    applicant = Applicant.objects.create(
        person=person,
        org=org,
        applied_on=applied_on,
        migrant_worker=migrant_worker,
        host_org=host_org,
        host_outside=host_outside,
    )
    Step.objects.create(
        applicant=applicant,
        code="s01_apply",
        done_on=applied_on,
        org=org,
        document=document,
        note=note,
        recorded_by=actor,
    )
    workflows.start(key=KEY, org=org, target=applicant)
    audit.record(
        actor=actor,
        action="development_apply",
        target=applicant,
        target_repr=f"{person.name}（{org.name}）",
        org_path=org.path,
        changes={"applied_on": [None, applied_on.isoformat()], "migrant_worker": [None, migrant_worker]},
    )
    return applicant


def _action(applicant: Applicant, step: StepIn, votes_passed: bool | None) -> str:
    if step.code == "s15_branch_vote" and votes_passed is False:
        return "s15_vote_failed"
    if step.code == "s24_conversion_approval":
        vote = _last(applicant, "s23_conversion_vote")
        decision = vote.data.get("decision") if vote else None
        return {"extend": "s24_extension_approval", "cancel": "s24_cancellation_approval"}.get(
            decision or "", "s24_conversion_approval"
        )
    return step.code


def record_step(*, actor, applicant: Applicant, step: StepIn, uploads=()) -> Step:
    """Record one step: refused with every rule it breaks (nothing changed), or written with the
    stage dates, the links, the member (approval, conversion) and the workflow's move."""
    if step.code == "s01_apply":
        raise DomainError(field="code", message="步骤：递交入党申请书即登记本人，请用“登记入党申请”。")
    instance = _instance(applicant)
    if step.code not in BY_CODE and step.code not in OTHER_CODES:
        t = workflows.spec_of(instance.definition).transition(step.code)
        if t is None or not t.generic:
            raise DomainError(field="code", message="步骤：未知步骤。")
    errors = ErrorCollector()
    people_text = _text(errors, "people", "经办人", step.people, 100)
    document = _text(errors, "document", "材料", step.document, 100)
    note = _text(errors, "note", "说明", step.note, 500)
    reason = _text(errors, "exception_reason", "例外说明", step.exception_reason, 300)
    cleaned = []
    uploads = list(uploads or [])
    if len(uploads) > MAX_PHOTOS:
        errors.add("photos", f"照片：最多{MAX_PHOTOS}张。")
    else:
        for up in uploads:
            try:
                cleaned.append(photos.clean_image(up, field="photos", label="材料照片"))
            except DomainError as exc:
                for f, msgs in exc.errors.items():
                    for m in msgs:
                        errors.add(f, m)
    errors.raise_if_any()
    data = {
        **step.data,
        "code": step.code,
        "on": step.on,
        "people": people_text,
        "document": document,
        "note": note,
    }
    if reason:
        data["waive_time"] = True
    votes_passed = None
    if step.code == "s15_branch_vote" and isinstance(step.on, dt.date):
        # a valid meeting that did not pass ends the record (the 支部大会未通过 outcome)
        got = _votes([], applicant, step.on, step.data.get("votes") or {})
        votes_passed = got["passed"] if got else None
    action = _action(applicant, step, votes_passed)  # the step's outcome: the move the engine makes
    data["code"] = action
    problems = step_problems(instance, actor, data)
    for f, m in problems:
        errors.add(f, m)
    if reason and not can_access_org(actor, EXCEPTION_PERM, applicant.org):
        errors.add("exception_reason", "例外说明：您无权对发展党员的时限作例外处理。")
    if reason and step.code not in WAIVABLE:
        errors.add("exception_reason", "例外说明：此步骤的规则没有例外。")
    errors.raise_if_any()
    on = step.on
    assert on is not None
    own = {
        k: v
        for k, v in step.data.items()
        if k
        in ("method", "guides", "introducers", "days", "hours", "decision", "extension_months", "host_notice")
    }
    for k in ("notice_from", "notice_to"):
        if isinstance(step.data.get(k), dt.date):
            own[k] = step.data[k].isoformat()
    if step.data.get("votes"):
        own["votes"] = _votes([], applicant, on, step.data["votes"])
    if action == "s15_vote_failed":
        own["passed"] = False
    saved: list[str] = []
    try:
        with transaction.atomic():
            record = _write_step(
                actor,
                applicant,
                instance,
                action,
                on,
                people_text,
                document,
                note,
                own,
                reason,
                data,
                cleaned,
                saved,
            )
    except BaseException:
        for name in saved:  # nothing of a refused write stays behind, on disk either
            photos.delete(name)
        raise
    return record


def _write_step(
    actor, applicant, instance, action, on, people_text, document, note, own, reason, data, cleaned, saved
) -> Step:
    """The step's writes, in the caller's transaction: the record, its photos (their file names
    into ``saved``, for the caller to remove if anything fails), the stage dates and the move."""
    record = Step.objects.create(
        applicant=applicant,
        code=action,
        done_on=on,
        org=applicant.org,
        people=people_text,
        document=document,
        note=note,
        data=own,
        exception_reason=reason,
        recorded_by=actor,
    )
    for img in cleaned:
        saved.append(photos.save(img, kind=PHOTO_KIND))
        StepPhoto.objects.create(step=record, name=saved[-1], content_type=img.content_type)
    changes = _apply(actor, applicant, action, record)
    workflows.transition(
        actor=actor,
        instance=instance,
        action=action,
        data=_json_safe({**data, "code": action, "_record": record.pk}),
        target=applicant,
        audit_action="development_step",
        changes={
            "step": [None, BY_CODE[action].label if action in BY_CODE else _other_label(action)],
            "on": [None, on.isoformat()],
            **changes,
        },
        exception_reason=reason,
        org_path=applicant.org.path,
    )
    return record


def _other_label(action: str) -> str:
    return next((label for code, label, _s, _t in OTHER if code == action), action)


def _apply(actor, applicant: Applicant, action: str, record: Step) -> dict[str, list]:
    """The record's stage, dates, links and member after the step; the audit's changes."""
    on = record.done_on
    changes: dict[str, list] = {}
    fields: list[str] = []

    def put(name: str, value: Any) -> None:
        before = getattr(applicant, name)
        setattr(applicant, name, value)
        fields.append(name)
        changes[name] = [
            str(before) if before is not None else None,
            str(value) if value is not None else None,
        ]

    if action == "s03_activist":
        put("activist_on", on)
        put("stage", Stage.ACTIVIST)
    elif action == "s07_candidate":
        put("candidate_on", on)
        put("stage", Stage.CANDIDATE)
    elif action in ("s05_guides", "s09_introducers"):
        role = LinkRole.GUIDE if action == "s05_guides" else LinkRole.INTRODUCER
        ids = [int(i) for i in record.data.get("guides" if role == LinkRole.GUIDE else "introducers", [])]
        Link.objects.filter(applicant=applicant, role=role).delete()
        Link.objects.bulk_create([Link(applicant=applicant, role=role, member_id=i, since=on) for i in ids])
        changes[role] = [None, len(ids)]
    elif action == "s15_branch_vote":
        put("admitted_on", on)
    elif action == "s17_approval":
        assert applicant.admitted_on is not None
        member = people_services.member_admit(
            actor=actor, person=applicant.person, org=applicant.org, joined_on=applicant.admitted_on
        )
        put("member", member)
        put("approved_on", on)
        if applicant.person.birth_date:
            put("admitted_age", years_between(applicant.person.birth_date, applicant.admitted_on))
        put(
            "probation_ends_on",
            years_after(applicant.admitted_on, rule("people.probation_years", applicant.org)),
        )
        put("stage", Stage.PROBATIONARY)
    elif action == "s24_conversion_approval":
        assert applicant.member is not None and applicant.probation_ends_on is not None
        # 党章第七条: full membership from the day probation ends, whatever the vote's date
        people_services.member_update(
            actor=actor, member=applicant.member, status="full", full_on=applicant.probation_ends_on
        )
        put("full_on", applicant.probation_ends_on)
        put("stage", Stage.FULL)
    elif action == "s24_extension_approval":
        assert applicant.probation_ends_on is not None
        vote = _last(applicant, "s23_conversion_vote")
        assert vote is not None
        put(
            "probation_ends_on", months_after(applicant.probation_ends_on, int(vote.data["extension_months"]))
        )
    elif action in ("s24_cancellation_approval", "cancel", "s15_vote_failed", "end"):
        if applicant.member is not None:
            people_services.member_leave(
                actor=actor, member=applicant.member, on=on, reason="removed", note="取消预备党员资格"
            )
        put("ended_on", on)
        put("end_reason", record.note or _other_label(action))
        put("stage", Stage.ENDED)
    if fields:
        applicant.save(update_fields=[f for f in dict.fromkeys(fields)])
    return changes


def end(*, actor, applicant: Applicant, on: dt.date | None, reason: str) -> Step:
    """End a record before admission (withdrew, found unfit) or cancel a probationary membership."""
    code = "cancel" if applicant.stage == Stage.PROBATIONARY else "end"
    return record_step(actor=actor, applicant=applicant, step=StepIn(code=code, on=on, note=reason))


def plan_set(*, actor, org: Org, year: Any, members: Any, activists: Any, migrant_members: Any = 0) -> Plan:
    """A township's or the county's plan for a year (000-R3); a second call replaces the figures."""
    if not can_access_org(actor, APPROVE, org):
        raise NotFound()
    errors = ErrorCollector()
    if org.kind != OrgKind.COMMITTEE:
        errors.add("org", "党委：发展计划由乡镇（街道）党委或县委制定。")
    values = {}
    for name, label, value in (
        ("year", "年度", year),
        ("members", "计划发展党员", members),
        ("activists", "计划培养积极分子", activists),
        ("migrant_members", "其中农民工", migrant_members),
    ):
        v = _int(value)
        if v is None or v < 0:
            errors.add(name, f"{label}：请填写非负整数。")
        values[name] = v
    year_in, members_in, migrant_in = values["year"], values["members"], values["migrant_members"]
    if year_in is not None and not 2000 <= year_in <= _today().year + 1:
        errors.add("year", f"年度：应在2000年至{_today().year + 1}年之间。")
    if members_in is not None and migrant_in is not None and migrant_in > members_in:
        errors.add("migrant_members", "其中农民工：不能多于计划发展党员数。")
    errors.raise_if_any()
    clean: dict[str, int] = {k: v for k, v in values.items() if v is not None}  # every one was given
    with transaction.atomic():
        plan = Plan.objects.filter(org=org, year=clean["year"]).first()
        before = (
            {"members": plan.members, "activists": plan.activists, "migrant_members": plan.migrant_members}
            if plan
            else {}
        )
        plan = plan or Plan(org=org, year=clean["year"])
        plan.members, plan.activists, plan.migrant_members = (
            clean["members"],
            clean["activists"],
            clean["migrant_members"],
        )
        plan.save()
        audit.record(
            actor=actor,
            action="development_plan",
            target=plan,
            target_repr=f"{org.name}{plan.year}年发展党员计划",
            org_path=org.path,
            changes=audit.diff(before, {k: values[k] for k in ("members", "activists", "migrant_members")}),
        )
    return plan


# steps whose move is not a step of the 25 by itself
assert set(MOVES) <= set(BY_CODE)
