"""Workflows as data: states, transitions and their guards, versioned; one engine applies a
transition inside a service, audits it, keeps the history, and refuses anything else with the
guard's Chinese message.

* An app ships a workflow's template (``Spec``) from the module its plugin names in ``workflows``,
  with the checks its guards name (``check``): "every measure is done", "an override has a reason".
* A subtree (a county) has its own local variant: labels, time limits, states of its own inserted
  between the template's (``customise``). The template's locked states — the nationally fixed
  stages — can be neither removed nor reordered. Every change is a new version; an instance keeps
  the version it started with.
* Guards: ``perm`` (the actor holds a permission at the instance's authority), ``role`` (holds one
  of these roles there), ``wait`` (not before N working days or minutes in the state; N literal or a
  rule-pack value), ``within`` (not after N), ``check`` (an app's named rule). A time guard may be
  waived with a reason by whoever holds the transition's ``exception_perm``; the step records it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from . import audit, workdays
from .errors import DomainError
from .models import Org, WorkflowDefinition, WorkflowInstance, WorkflowStep
from .rulepacks import ancestor_paths, rule
from .scoping import can_access_org

TIME_UNITS = {"workdays": "个工作日", "minutes": "分钟"}


@dataclass(frozen=True)
class Guard:
    kind: str  # perm | role | wait | within | check
    perm: str = ""
    roles: tuple[str, ...] = ()
    amount: int = 0  # wait / within: how many
    unit: str = "workdays"  # workdays | minutes
    amount_rule: str = ""  # wait / within: the amount from this rule of the pack, at the instance's org
    check: str = ""  # check: a registered check's name

    def describe(self) -> str:
        if self.kind == "perm":
            return f"须有“{_perm_label(self.perm)}”权限"
        if self.kind == "role":
            return f"须为{'或'.join(_role_label(r) for r in self.roles)}"
        if self.kind in ("wait", "within"):
            amount = f"规则“{self.amount_rule}”规定的" if self.amount_rule else str(self.amount)
            return f"进入本环节{amount}{TIME_UNITS[self.unit]}{'后' if self.kind == 'wait' else '内'}"
        return _CHECKS[self.check][1] if self.check in _CHECKS else self.check


@dataclass(frozen=True)
class State:
    key: str
    label: str
    locked: bool = False  # a nationally fixed stage: kept, in its place, by every local variant
    final: bool = False
    deadline: int = 0  # soft time limit for leaving it (0: none), shown as overdue
    deadline_unit: str = "workdays"


@dataclass(frozen=True)
class Transition:
    key: str
    label: str
    sources: tuple[str, ...]
    target: str
    guards: tuple[Guard, ...] = ()
    exception_perm: str = ""  # who may waive its time guards, with a reason
    generic: bool = False  # a local stage's way on: taken from the matter's page, no data of its own


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str
    version: int = 1  # of the shipped template

    def state(self, key: str) -> State:
        return next(s for s in self.states if s.key == key)

    def transition(self, key: str) -> Transition | None:
        return next((t for t in self.transitions if t.key == key), None)

    def outgoing(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Spec:
        return cls(
            key=data["key"],
            title=data["title"],
            initial=data["initial"],
            version=data.get("version", 1),
            states=tuple(State(**s) for s in data["states"]),
            transitions=tuple(
                Transition(
                    key=t["key"],
                    label=t["label"],
                    sources=tuple(t["sources"]),
                    target=t["target"],
                    exception_perm=t.get("exception_perm", ""),
                    generic=t.get("generic", False),
                    guards=tuple(
                        Guard(**{**g, "roles": tuple(g.get("roles", ()))}) for g in t.get("guards", ())
                    ),
                )
                for t in data["transitions"]
            ),
        )


# --- what apps declare ------------------------------------------------------------------------------

_TEMPLATES: dict[str, tuple[Spec, str]] = {}
_CHECKS: dict[str, tuple[Callable[..., str | None], str]] = {}


def register(spec: Spec, owner: str) -> Spec:
    """Ship a workflow's template; ``owner``: the declaring module's ``__name__`` (an app removed
    from INSTALLED_APPS takes its workflows with it). tests/core/test_workflows.py validates every
    installed template."""
    if spec.key in _TEMPLATES:
        raise ValueError(f"workflow {spec.key} registered twice")
    _TEMPLATES[spec.key] = (spec, owner)
    return spec


def check(name: str, description: str):
    """Register a named condition a guard can ask for: ``fn(instance, actor, data) -> message or None``."""

    def deco(fn: Callable[..., str | None]):
        _CHECKS[name] = (fn, description)
        return fn

    return deco


def templates() -> dict[str, Spec]:
    from . import kit

    kit.plugins()
    return {k: spec for k, (spec, owner) in _TEMPLATES.items() if kit.in_installed_app(owner)}


# --- validating a definition ------------------------------------------------------------------------


def validate(spec: Spec, template: Spec | None = None) -> list[str]:
    """Everything wrong with a definition, in Chinese; against its template, the locked stages too."""
    problems: list[str] = []
    keys = [s.key for s in spec.states]
    if len(set(keys)) != len(keys):
        problems.append("环节的标识不能重复。")
    if spec.initial not in keys:
        problems.append("起始环节不存在。")
    for s in spec.states:
        if not s.label.strip() or len(s.label) > 50:
            problems.append(f"环节“{s.key}”：名称必填，不超过50字。")
        if s.deadline < 0 or s.deadline > 43_200 or s.deadline_unit not in TIME_UNITS:
            problems.append(f"环节“{s.label}”：时限应为0至43200（个工作日或分钟）。")
    tkeys = [t.key for t in spec.transitions]
    if len(set(tkeys)) != len(tkeys):
        problems.append("办理动作的标识不能重复。")
    for t in spec.transitions:
        if not t.label.strip() or len(t.label) > 50:
            problems.append(f"动作“{t.key}”：名称必填，不超过50字。")
        for end in (*t.sources, t.target):
            if end not in keys:
                problems.append(f"动作“{t.label}”：环节“{end}”不存在。")
        for g in t.guards:
            problems += _guard_problems(t, g)
    reachable, frontier = {spec.initial}, [spec.initial]
    while frontier:
        here = frontier.pop()
        for t in spec.outgoing(here):
            if t.target not in reachable:
                reachable.add(t.target)
                frontier.append(t.target)
    for s in spec.states:
        if s.key not in reachable:
            problems.append(f"环节“{s.label}”：从起始环节无法到达。")
        if not s.final and not spec.outgoing(s.key):
            problems.append(f"环节“{s.label}”：不是终结环节，却没有办理动作可以离开。")
    if template is not None:
        locked = [s.key for s in template.states if s.locked]
        present = [k for k in keys if k in locked]
        missing = [template.state(k).label for k in locked if k not in keys]
        if missing:
            problems.append(f"不能删除全国统一规定的环节：{'、'.join(missing)}。")
        elif present != locked:
            problems.append("不能改变全国统一规定环节的先后顺序。")
        for k in locked:
            if k in keys and (
                spec.state(k).final != template.state(k).final
                or spec.state(k).label != template.state(k).label
            ):
                problems.append(f"全国统一规定的环节“{template.state(k).label}”不能改名或改变是否终结。")
        if spec.initial != template.initial:
            problems.append("不能改变起始环节。")
    return problems


def _guard_problems(t: Transition, g: Guard) -> list[str]:
    from . import kit

    where = f"动作“{t.label}”"
    if g.kind == "perm":
        return [] if g.perm in kit.permissions() else [f"{where}：未知权限“{g.perm}”。"]
    if g.kind == "role":
        unknown = [r for r in g.roles if r not in kit.roles()]
        return [f"{where}：未知角色“{'、'.join(unknown)}”。"] if unknown or not g.roles else []
    if g.kind in ("wait", "within"):
        if g.unit not in TIME_UNITS:
            return [f"{where}：时限单位应为工作日或分钟。"]
        if g.amount_rule:
            return [] if g.amount_rule in kit.rules() else [f"{where}：未知规则“{g.amount_rule}”。"]
        return [] if 1 <= g.amount <= 43_200 else [f"{where}：时限应为1至43200。"]
    if g.kind == "check":
        return [] if g.check in _CHECKS else [f"{where}：未知校验“{g.check}”。"]
    return [f"{where}：未知条件类型“{g.kind}”。"]


# --- versions ------------------------------------------------------------------------------------------


def _template_row(spec: Spec) -> WorkflowDefinition:
    row, _ = WorkflowDefinition.objects.get_or_create(
        key=spec.key, org=None, version=spec.version, defaults={"spec": spec.to_json(), "note": "模板"}
    )
    return row


def effective(key: str, org: Org) -> WorkflowDefinition:
    """The definition a new instance under ``org`` starts with: the latest local version of the
    nearest organisation on its path that has one, else the app's template."""
    spec = templates().get(key)
    if spec is None:
        raise DomainError(field="workflow", message=f"流程：未知流程“{key}”。")
    local = (
        WorkflowDefinition.objects.filter(key=key, org__path__in=ancestor_paths(org.path))
        .select_related("org")
        .order_by("-org__depth", "-version")
        .first()
    )
    return local or _template_row(spec)


def spec_of(row: WorkflowDefinition) -> Spec:
    return Spec.from_json(row.spec)


# --- running instances ----------------------------------------------------------------------------------


def _due(state: State, since: dt.datetime) -> dt.datetime | None:
    if not state.deadline:
        return None
    return _after(since, state.deadline, state.deadline_unit)


def _after(since: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == "minutes":
        return since + dt.timedelta(minutes=amount)
    local = timezone.localtime(since)
    day = workdays.add_workdays(local.date(), amount)
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)))


def start_many(
    *, key: str, org_of: Callable[[Any], Org], targets: Sequence[Model], authority: Org | None = None
) -> list[WorkflowInstance]:
    """Instances for many records at once (a grading round's grades), each at the initial state of
    the definition in force where the matter is decided: at ``authority`` when given (every grade of
    a county's round follows the county's procedure), else at the record's organisation. The
    definition is looked up once per place. Part of the caller's service: it audits."""
    now = timezone.now()
    found: dict[int, tuple[WorkflowDefinition, Spec]] = {}
    made = []
    for target in targets:
        org = org_of(target)
        where = authority or org
        if where.pk not in found:
            row = effective(key, where)
            found[where.pk] = (row, spec_of(row))
        row, spec = found[where.pk]
        made.append(
            WorkflowInstance(
                definition=row,
                org=org,
                authority=authority,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                state=spec.initial,
                state_since=now,
                due_at=_due(spec.state(spec.initial), now),
            )
        )
    return WorkflowInstance.objects.bulk_create(made)


def start(*, key: str, org: Org, target: Model, authority: Org | None = None) -> WorkflowInstance:
    return start_many(key=key, org_of=lambda _t: org, targets=[target], authority=authority)[0]


@dataclass
class Option:
    """A transition as it stands for one actor now: allowed, or refused and why (``fields``: the
    reasons by the field they concern, "action" for the step itself)."""

    transition: Transition
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    earliest: dt.datetime | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)
    # refused only by its time limits, and this actor may take it anyway, giving a reason
    waivable: bool = False


def _amount(g: Guard, instance: WorkflowInstance) -> int:
    return int(rule(g.amount_rule, instance.org)) if g.amount_rule else g.amount


def evaluate(
    *,
    actor,
    instance: WorkflowInstance,
    action: str,
    data: dict | None = None,
    now: dt.datetime | None = None,
    waive_time: bool = False,
) -> Option:
    """Whether ``actor`` may take ``action`` on ``instance`` now, and every reason it may not."""
    spec = spec_of(instance.definition)
    t = spec.transition(action)
    state = spec.state(instance.state)
    if t is None or instance.state not in t.sources:
        label = t.label if t is not None else action
        text = f"当前环节“{state.label}”不能“{label}”。"
        return Option(t or Transition(action, action, (), ""), False, [text], fields={"action": [text]})
    now = now or timezone.now()
    where = instance.authority or instance.org
    option = Option(t, True)
    for g in t.guards:
        reason: str | tuple[str, str] | None = None
        if g.kind == "perm" and not can_access_org(actor, g.perm, where):
            reason = f"“{t.label}”须有“{_perm_label(g.perm)}”权限（{where.name}）。"
        elif g.kind == "role" and not _holds_role(actor, g.roles, where):
            reason = f"“{t.label}”须由{'或'.join(_role_label(r) for r in g.roles)}办理。"
        elif g.kind == "wait" and not waive_time:
            ready = _after(instance.state_since, _amount(g, instance), g.unit)
            if now < ready:
                option.earliest = max(option.earliest or ready, ready)
                when = (
                    f"{timezone.localtime(ready):%Y-%m-%d %H:%M}"
                    if g.unit == "minutes"
                    else f"{timezone.localtime(ready):%Y-%m-%d}"
                )
                reason = (
                    f"“{t.label}”须在进入“{state.label}”{_amount(g, instance)}{TIME_UNITS[g.unit]}后办理，"
                    f"最早 {when} 可以办理。"
                )
        elif g.kind == "within" and not waive_time:
            limit = _after(instance.state_since, _amount(g, instance), g.unit)
            if now > limit:
                reason = (
                    f"“{t.label}”已超过时限：应在进入“{state.label}”后{_amount(g, instance)}{TIME_UNITS[g.unit]}内"
                    f"（{timezone.localtime(limit):%Y-%m-%d %H:%M}前）办理。"
                )
        elif g.kind == "check":
            fn = _CHECKS[g.check][0]
            reason = fn(instance, actor, data or {})
        if reason:
            field_name, text = reason if isinstance(reason, tuple) else ("action", reason)
            option.allowed = False
            option.reasons.append(text)
            option.fields.setdefault(field_name, []).append(text)
    return option


def options(*, actor, instance: WorkflowInstance) -> list[Option]:
    """Every way out of the instance's state, for showing what can be done next and what cannot yet."""
    spec = spec_of(instance.definition)
    out = []
    where = instance.authority or instance.org
    for t in spec.outgoing(instance.state):
        option = evaluate(actor=actor, instance=instance, action=t.key)
        if not option.allowed and t.exception_perm and can_access_org(actor, t.exception_perm, where):
            option.waivable = evaluate(actor=actor, instance=instance, action=t.key, waive_time=True).allowed
        out.append(option)
    return out


def transition(
    *,
    actor,
    instance: WorkflowInstance,
    action: str,
    data: dict | None = None,
    target: Model | None = None,
    audit_action: str = "",
    changes: dict | None = None,
    exception_reason: str = "",
    org_path: str = "",
) -> WorkflowStep:
    """Take ``action``: refused with every guard's message (DomainError on ``action``) and nothing
    changed, or the instance moved, the step kept and one audit entry written — the caller's own
    ``changes`` with the state change beside them. Call it inside the caller's transaction."""
    spec = spec_of(instance.definition)
    t = spec.transition(action)
    waive = False
    if len(exception_reason.strip()) > 300:
        raise DomainError(field="exception_reason", message="例外说明：不能超过300字。")
    if exception_reason.strip():
        if (
            t is None
            or not t.exception_perm
            or not can_access_org(actor, t.exception_perm, instance.authority or instance.org)
        ):
            raise DomainError(field="exception_reason", message="例外说明：您无权对此环节的时限作例外处理。")
        waive = True
    option = evaluate(actor=actor, instance=instance, action=action, data=data, waive_time=waive)
    if not option.allowed:
        raise DomainError(option.fields)
    assert t is not None  # evaluate refuses an action the workflow does not have
    now = timezone.now()
    with transaction.atomic():
        locked = WorkflowInstance.objects.select_for_update().get(pk=instance.pk)
        if locked.state != instance.state:  # someone moved it meanwhile
            raise DomainError(field="action", message="该事项已被他人办理，请刷新后再试。")
        before = instance.state
        instance.state, instance.state_since = t.target, now
        instance.due_at = _due(spec.state(t.target), now)
        instance.save(update_fields=["state", "state_since", "due_at"])
        step = WorkflowStep.objects.create(
            instance=instance,
            action=action,
            from_state=before,
            to_state=t.target,
            actor=actor,
            data=data or {},
            exception_reason=exception_reason.strip(),
        )
        entry = dict(changes or {})
        entry["state"] = [spec.state(before).label, spec.state(t.target).label]
        if waive:
            entry["exception_reason"] = [None, exception_reason.strip()]
        audit.record(
            actor=actor,
            action=audit_action or "transition",
            target=target or instance,
            org_path=org_path or instance.org.path,
            changes=entry,
        )
    return step


def history(instance: WorkflowInstance) -> list[dict[str, Any]]:
    """The steps taken, with the states' labels of the instance's own version."""
    spec = spec_of(instance.definition)
    labels = {s.key: s.label for s in spec.states}
    actions = {t.key: t.label for t in spec.transitions}
    return [
        {
            "at": s.at,
            "actor": s.actor,
            "action": actions.get(s.action, s.action),
            "from": labels.get(s.from_state, s.from_state),
            "to": labels.get(s.to_state, s.to_state),
            "exception_reason": s.exception_reason,
            "data": s.data,
        }
        for s in instance.steps.select_related("actor")
    ]


def _holds_role(actor, roles: Iterable[str], org: Org) -> bool:
    from .scoping import _grants

    return any(role in roles and org.path.startswith(path) for role, path, _area in _grants(actor))


def _perm_label(code: str) -> str:
    from . import kit

    perm = kit.permissions().get(code)
    return str(perm.label) if perm else code


def _role_label(code: str) -> str:
    from . import kit

    role = kit.roles().get(code)
    return str(role.label) if role else code


# --- local variants -------------------------------------------------------------------------------------


def customise(*, actor, org: Org, key: str, spec: Spec, note: str = "") -> WorkflowDefinition:
    """Save ``spec`` as ``org``'s new local version of workflow ``key``: for those who may change the
    subtree's rules, checked against the template (the locked stages kept, in order). Instances
    already running keep their versions."""
    from .errors import NotFound
    from .roles import Perm

    if not can_access_org(actor, Perm.MANAGE_RULES, org):
        raise NotFound()
    template = templates().get(key)
    if template is None:
        raise DomainError(field="workflow", message=f"流程：未知流程“{key}”。")
    problems = validate(spec, template)
    if problems:
        raise DomainError({"spec": problems})
    if not (note or "").strip():
        raise DomainError(field="note", message="说明：修改流程须说明依据或理由。")
    if len(note.strip()) > 300:
        raise DomainError(field="note", message="说明：不能超过300字。")
    with transaction.atomic():
        latest = WorkflowDefinition.objects.filter(key=key, org=org).order_by("-version").first()
        row = WorkflowDefinition.objects.create(
            key=key,
            org=org,
            version=(latest.version + 1) if latest else 1,
            spec=spec.to_json(),
            note=note.strip(),
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="workflow_customise",
            target=row,
            target_repr=f"{spec.title} v{row.version}",
            org_path=org.path,
            changes={"version": [latest.version if latest else None, row.version], "note": [None, row.note]},
        )
    return row


# who may let a local stage's way on be taken after its "not after" limit, with a reason: those
# who may change the subtree's rules (the county that set the limit)
LOCAL_EXCEPTION_PERM = "manage_rules"


def last_local_number(key: str, org: Org, spec: Spec) -> int:
    """The highest N of a local stage ``localN`` in ``spec`` or any earlier version of ``org``'s: a
    stage's key is never given twice, even after it was removed (old instances' history names it)."""
    numbers = [0]
    specs = [spec, *(spec_of(r) for r in WorkflowDefinition.objects.filter(key=key, org=org))]
    for sp in specs:
        numbers += [int(m[1]) for s in sp.states if (m := re.fullmatch(r"local(\d+)", s.key))]
    return max(numbers)


def insert_state(
    spec: Spec, *, after: str, key: str, label: str, wait: int = 0, unit: str = "workdays"
) -> Spec:
    """A local stage after ``after``: the ways on from ``after`` (not those that stay in it, such as
    a revision) lead into it, and one way ("完成<label>", waiting ``wait`` if given) leads on to
    where they led. Refused where ``after`` branches to different stages (which would it delay?)."""
    if any(s.key == key for s in spec.states):
        raise DomainError(field="key", message="环节标识：已存在。")
    onward = [t for t in spec.outgoing(after) if t.target != after]
    if not onward:
        raise DomainError(field="after", message="插入位置：该环节之后没有下一环节。")
    if len({t.target for t in onward}) > 1:
        raise DomainError(field="after", message="插入位置：该环节之后分为多个去向，不能在此插入环节。")
    nxt = onward[0].target
    interrupted = {t.key for t in onward}
    states = []
    for s in spec.states:
        states.append(s)
        if s.key == after:
            states.append(State(key=key, label=label))
    transitions = [
        Transition(
            t.key,
            t.label,
            t.sources,
            key if t.key in interrupted else t.target,
            t.guards,
            t.exception_perm,
            t.generic,
        )
        for t in spec.transitions
    ]
    # who may take the way it interrupts may take its way on
    guards = tuple(g for g in onward[0].guards if g.kind in ("perm", "role"))
    guards += (Guard("wait", amount=wait, unit=unit),) if wait else ()
    transitions.append(Transition(f"{key}_done", f"完成{label}", (key,), nxt, guards, generic=True))
    return Spec(spec.key, spec.title, tuple(states), tuple(transitions), spec.initial, spec.version)


def remove_state(spec: Spec, *, key: str) -> Spec:
    """Drop a local stage: the ways into it lead where its way out led."""
    state = spec.state(key)
    if state.locked:
        raise DomainError(field="key", message=f"不能删除全国统一规定的环节“{state.label}”。")
    out = spec.outgoing(key)
    if not out:
        raise DomainError(field="key", message=f"“{state.label}”是办结环节，不能删除。")
    nxt = out[0].target
    transitions = [
        Transition(
            t.key,
            t.label,
            tuple(s for s in t.sources if s != key),
            nxt if t.target == key else t.target,
            t.guards,
            t.exception_perm,
            t.generic,
        )
        for t in spec.transitions
        if t.sources != (key,)
    ]
    transitions = [t for t in transitions if t.sources and t.target]
    return Spec(
        spec.key,
        spec.title,
        tuple(s for s in spec.states if s.key != key),
        tuple(transitions),
        spec.initial,
        spec.version,
    )


def set_time(spec: Spec, *, transition: str, kind: str, amount: int, unit: str = "workdays") -> Spec:
    """Set (amount > 0) or remove (0) a ``wait`` or ``within`` guard on a transition."""
    if kind not in ("wait", "within"):
        raise DomainError(field="kind", message="时限类型：应为“最早”或“最迟”。")
    out = []
    for t in spec.transitions:
        if t.key == transition:
            if kind == "within" and amount and not t.generic and not t.exception_perm:
                # past a "not after" limit the step could then never be taken: only where the
                # platform offers an exception (a local stage, with a reason, by those who set rules)
                raise DomainError(
                    field="transition",
                    message=f"办理事项：“{t.label}”在业务页面办理，不能设置最迟时限（逾期将无法办理）；可设置最早时限。",
                )
            guards = tuple(g for g in t.guards if g.kind != kind or g.amount_rule)
            if amount:
                guards += (Guard(kind, amount=amount, unit=unit),)
            exception = t.exception_perm or (LOCAL_EXCEPTION_PERM if kind == "within" and t.generic else "")
            t = Transition(t.key, t.label, t.sources, t.target, guards, exception, t.generic)
        out.append(t)
    return Spec(spec.key, spec.title, spec.states, tuple(out), spec.initial, spec.version)
