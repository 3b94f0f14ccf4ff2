"""The decisions rows of ``jiceng gen``: in every village a few matters a year over the last two
years (四议两公开 or 五步决策法), each with its stage meetings up to its stage — counts and votes
as the services would have computed them, no attendee rows — and its workflow instance in the
matching state, so the services can act on a generated matter; most decided ones disclosed, some
with their result. Streamed through the Sink (COPY on PostgreSQL, batched INSERTs on SQLite)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from jiceng.core import workflows
from jiceng.core.gen import GenContext, ModelSink
from jiceng.core.models import Org, WorkflowInstance

from .models import Matter, Meeting
from .rules import MATTER_TYPES
from .workflows import COMMUNITY, FIVE_STEP, FOUR_TWO, SPECS

PER_YEAR = (0, 1, 1, 2, 2, 3)
TITLES = {
    "public_works": ("村道硬化", "饮水工程改造", "村卫生室修缮", "文化广场建设"),
    "income_use": ("年度集体收益分配方案",),
    "collective_project": ("集体经济项目立项", "光伏电站建设"),
    "asset_disposal": ("集体厂房出租", "集体鱼塘发包"),
    "homestead": ("宅基地使用方案",),
}
INSTANCE_FIELDS = (
    "id", "definition", "org", "authority", "target_type", "target_id", "state", "state_since", "due_at", "created_at",
)  # fmt: skip
MATTER_FIELDS = (
    "id", "org", "village", "kind", "kind_name", "title", "description", "amount_fen", "procedure", "stage",
    "stage_label", "outcome", "two_thirds_all", "assembly_only", "proposed_on", "decided_on", "disclosed_on",
    "result_on", "end_reason", "created_by", "created_at",
)  # fmt: skip
MEETING_FIELDS = (
    "id", "matter", "action", "label", "kind", "held_on", "notice_on", "base", "base_source", "entitled", "attended",
    "votes_for", "votes_against", "votes_abstain", "passed", "rule_text", "minutes", "names", "recorded_by",
    "created_at",
)  # fmt: skip
# action → (meeting kind, entitled range)
MEETINGS = {
    "propose": ("party_committee", (3, 7)),
    "discuss": ("joint", (5, 11)),
    "review": ("members", (12, 80)),
    "township_approve": ("township", (0, 0)),
    "resolve": ("representatives", (20, 45)),
    "disclose": ("disclosure", (0, 0)),
    "implement": ("disclosure", (0, 0)),
}


def build(ctx: GenContext) -> None:
    rng, ids, tree, g = ctx.rng, ctx.ids, ctx.tree, ctx.g
    assert tree is not None, "core's trees step runs first"
    yesterday = g.as_of - dt.timedelta(days=1)
    root = Org.objects.get(pk=tree.root_org[0])
    definitions = {key: workflows.effective(key, root) for key in (FOUR_TWO, FIVE_STEP, COMMUNITY)}
    now = dt.datetime.now(dt.UTC)
    kinds = list(TITLES)
    counts = {"matters": 0, "meetings": 0}
    with (
        ModelSink(Matter, MATTER_FIELDS) as m_sink,
        ModelSink(Meeting, MEETING_FIELDS) as x_sink,
        ModelSink(WorkflowInstance, INSTANCE_FIELDS) as i_sink,
    ):
        for area_id, vname, org_id, _path, _groups in tree.villages:
            community = vname.endswith("社区")
            for _year in range(2):
                for _ in range(rng.choice(PER_YEAR)):
                    kind = rng.choice(kinds)
                    procedure = COMMUNITY if community else (FIVE_STEP if rng.random() < 0.4 else FOUR_TWO)
                    spec = SPECS[procedure]
                    order = ["propose", "discuss", "review"]
                    if procedure == FIVE_STEP:
                        order.append("township_approve")
                    order += ["resolve", "disclose", "implement"]
                    reach = rng.choice((1, 3, 4, 5, 6, 6, 7, 7, 7))
                    start = yesterday - dt.timedelta(days=rng.randint(60, 720))
                    pk = ids.take("decisions_matter")
                    day, state = start, "registered"
                    decided = disclosed = result = None
                    done = []
                    for action in order[:reach]:
                        day += dt.timedelta(
                            days=rng.randint(2, 12) if action != "implement" else rng.randint(30, 90)
                        )
                        if day > yesterday:
                            break
                        t = spec.transition(action)
                        assert t is not None
                        state = t.target
                        done.append((action, t.label, day))
                        if action == "resolve":
                            decided = day
                        elif action == "disclose":
                            disclosed = day
                        elif action == "implement":
                            result = day
                    row = MATTER_TYPES[kind]
                    m_sink.row((
                        pk, org_id, area_id, kind, row["name"], f"{vname}{rng.choice(TITLES[kind])}", "",
                        rng.randint(5, 300) * 1_000_000 if rng.random() < 0.8 else None, procedure, state,
                        spec.state(state).label, "decided" if decided else "running", row["two_thirds_all"],
                        row["assembly_only"], start, decided, disclosed, result, "", None, now,
                    ))  # fmt: skip
                    for action, label, on in done:
                        mkind, (lo, hi) = MEETINGS[action]
                        entitled = rng.randint(lo, hi) if hi else 0
                        attended = entitled - rng.randint(0, entitled // 4) if entitled else 0
                        votes = (attended, 0, 0) if entitled else (None, None, None)
                        x_sink.row((
                            ids.take("decisions_meeting"), pk, action, label, mkind, on, None, "persons", "",
                            entitled, attended, *votes, True, "", "", "", None, now,
                        ))  # fmt: skip
                        counts["meetings"] += 1
                    i_sink.row((
                        ids.take("core_workflowinstance"), definitions[procedure].pk, org_id, None, "decisions.matter",
                        str(pk), state, now, None, now,
                    ))  # fmt: skip
                    counts["matters"] += 1
    ctx.counts.update({f"decisions_{k}": v for k, v in counts.items()})
    ctx.say(f"decisions: {counts['matters']} matters, {counts['meetings']} stage meetings")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE decisions_matter; ANALYZE decisions_meeting")
