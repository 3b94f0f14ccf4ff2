"""The development rows of ``jiceng gen``: in every village branch a pipeline of 0–6 persons
(applicants, activists under review, candidates at their later steps), new persons of the village;
and for every generated member admitted in the last two years a record of how they came in
(probationary or converted), linked to the member — with each record's steps up to its stage and
its workflow instance in the matching state, so the services can act on a generated record.

Rows as the services would leave them (stage dates, steps in order, dates up to yesterday);
streamed like the other steps (COPY on PostgreSQL, batched INSERTs on SQLite)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from jiceng.core import crypto, workflows
from jiceng.core.dates import months_after, years_after
from jiceng.core.gen import GenContext, ModelSink, fast_id_number
from jiceng.core.models import Org, WorkflowInstance
from jiceng.people import queries as people_queries

from .models import Applicant, Step
from .steps import STEPS
from .workflows import KEY, MOVES

PIPELINE = (0, 1, 1, 2, 2, 3, 4, 6)  # records in a village's pipeline (drawn)
INSTANCE_FIELDS = (
    "id", "definition", "org", "authority", "target_type", "target_id", "state", "state_since", "due_at", "created_at",
)  # fmt: skip
APPLICANT_FIELDS = (
    "id", "person", "org", "stage", "migrant_worker", "host_org", "host_outside", "applied_on", "activist_on",
    "candidate_on", "admitted_on", "approved_on", "admitted_age", "probation_ends_on", "full_on", "ended_on",
    "end_reason", "member", "created_at",
)  # fmt: skip
STEP_FIELDS = ("id", "applicant", "code", "done_on", "org", "people", "document", "note", "data", "exception_reason", "recorded_by", "created_at")  # fmt: skip
PERSON_FIELDS = (
    "id", "name", "gender", "ethnicity", "birth_date", "education", "id_number_ciphertext", "id_number_digest",
    "id_number_tail_digest", "id_number_masked", "phone_ciphertext", "phone_digest", "phone_masked", "area",
    "household", "user", "created_at", "updated_at",
)  # fmt: skip
CODES = [s.code for s in STEPS]
TARGET = {code: target for code, (_s, target) in MOVES.items()}


def _dates(rng, applied: dt.date, upto: int) -> list[tuple[str, dt.date]]:
    """The steps s01 … s``upto`` with the earliest dates the rules allow, plus a little slack."""
    out = [("s01_apply", applied)]
    day = applied
    activist = None
    for code in CODES[1:upto]:
        if code == "s06_review":
            assert activist is not None
            out.append((code, months_after(activist, 6) - dt.timedelta(days=rng.randint(1, 9))))
            day = months_after(activist, 12) - dt.timedelta(days=rng.randint(1, 9))
            out.append((code, day))
            continue
        if code == "s07_candidate":
            assert activist is not None
            day = years_after(activist, 1) + dt.timedelta(days=rng.randint(0, 20))
        elif code == "s13_precheck":
            day += dt.timedelta(days=9 + rng.randint(0, 3))
        elif code == "s17_approval":
            day += dt.timedelta(days=20 + rng.randint(0, 30))
        else:
            day += dt.timedelta(days=1 + rng.randint(0, 8))
        out.append((code, day))
        if code == "s03_activist":
            activist = day
    return out


def build(ctx: GenContext) -> None:
    rng, ids, tree, g = ctx.rng, ctx.ids, ctx.tree, ctx.g
    assert tree is not None, "core's trees step runs first"
    yesterday = g.as_of - dt.timedelta(days=1)
    root = Org.objects.get(pk=tree.root_org[0])
    definition = workflows.effective(KEY, root)
    now = dt.datetime.now(dt.UTC)
    tail_digests: dict[str, str] = {}
    counts = {"records": 0, "steps": 0, "persons": 0}
    with (
        ModelSink(Applicant, APPLICANT_FIELDS) as a_sink,
        ModelSink(Step, STEP_FIELDS) as s_sink,
        ModelSink(WorkflowInstance, INSTANCE_FIELDS) as i_sink,
        ModelSink(people_queries.persons().model, PERSON_FIELDS) as p_sink,
    ):

        def record(person_id, org_id, steps, *, stage, member_id=None, birth=None, migrant=False) -> None:
            pk = ids.take("development_applicant")
            when = dict(steps)
            last_code = steps[-1][0]
            admitted = when.get("s15_branch_vote")
            approved = when.get("s17_approval")
            probation_end = years_after(admitted, 1) if admitted and approved else None
            full = probation_end if stage == "full" else None
            a_sink.row((
                pk, person_id, org_id, stage, migrant, None, "", when["s01_apply"], when.get("s03_activist"),
                when.get("s07_candidate"), admitted, approved,
                (admitted.year - birth.year - ((admitted.month, admitted.day) < (birth.month, birth.day)))
                if admitted and approved and birth else None,
                probation_end, full, None, "", member_id, now,
            ))  # fmt: skip
            for code, on in steps:
                data = "{}"
                if code in ("s15_branch_vote", "s23_conversion_vote"):
                    data = '{"votes": {"entitled": 20, "present": 15, "written": 1, "in_favour": 16, "against": 0, "abstain": 0, "probationary_present": 1, "passed": true}}'  # noqa: E501
                s_sink.row(
                    (ids.take("development_step"), pk, code, on, org_id, "", "", "", data, "", None, now)
                )
            state = "applied" if last_code == "s01_apply" else TARGET[last_code]
            i_sink.row((
                ids.take("core_workflowinstance"), definition.pk, org_id, None, "development.applicant", str(pk),
                state, now, None, now,
            ))  # fmt: skip
            counts["records"] += 1
            counts["steps"] += len(steps)

        for area_id, _vname, org_id, _path, _groups in tree.villages:
            for _ in range(rng.choice(PIPELINE)):
                # a person of the village, 20–38, at some step before admission
                birth = yesterday - dt.timedelta(days=365 * rng.randint(20, 38) + rng.randint(0, 364))
                gender = "male" if rng.random() < 0.6 else "female"
                number = fast_id_number(rng, birth, gender)
                tail = number[-4:]
                if tail not in tail_digests:
                    tail_digests[tail] = crypto.digest(tail, field="id_number_tail")
                pid = ids.take("people_person")
                p_sink.row((
                    pid, g.name(gender), gender, "汉族", birth, rng.choice(("bachelor", "college", "high_school")),
                    crypto.encrypt(number, field="id_number"), crypto.digest(number, field="id_number"),
                    tail_digests[tail], crypto.mask_id_number(number), "", "", "", area_id, None, None, now, now,
                ))  # fmt: skip
                counts["persons"] += 1
                upto = rng.choice((1, 2, 3, 5, 6, 6, 7, 9, 11, 14))  # the step number reached
                applied = yesterday - dt.timedelta(days=30 + 40 * upto + rng.randint(0, 200))
                steps = [(c, d) for c, d in _dates(rng, applied, upto) if d <= yesterday]
                number_reached = int(steps[-1][0][1:3])
                stage = (
                    "candidate" if number_reached >= 7 else "activist" if number_reached >= 3 else "applicant"
                )
                record(pid, org_id, steps, stage=stage, migrant=rng.random() < 0.2)
        # the members admitted in the last two years came through the pipeline
        since = years_after(yesterday, -2)
        recent = people_queries.members().filter(joined_on__gte=since, joined_on__lte=yesterday)
        for mid, pid, org_id, joined, birth in recent.values_list(
            "pk", "person_id", "org_id", "joined_on", "person__birth_date"
        ).iterator(chunk_size=5000):
            # dates counted back from the assembly (= joined_on), the earliest the rules allow
            activist = joined - dt.timedelta(days=365 + 60 + rng.randint(0, 60))
            applied = activist - dt.timedelta(days=20 + rng.randint(0, 60))
            steps = _dates(rng, applied, 20)
            shift = joined - dict(steps)["s15_branch_vote"]
            steps = [(c, d + shift) if int(c[1:3]) >= 15 else (c, d) for c, d in steps]
            converted = years_after(joined, 1) + dt.timedelta(days=30) <= yesterday
            if converted:
                end = years_after(joined, 1)
                steps += [
                    ("s22_conversion_application", end - dt.timedelta(days=10)),
                    ("s23_conversion_vote", end + dt.timedelta(days=5)),
                    ("s24_conversion_approval", end + dt.timedelta(days=20)),
                ]
            steps = [(c, d) for c, d in steps if d <= yesterday]
            record(
                pid, org_id, steps, stage="full" if converted else "probationary", member_id=mid, birth=birth
            )
    ctx.counts.update({f"development_{k}": v for k, v in counts.items()})
    ctx.say(
        f"development: {counts['records']} records, {counts['steps']} steps, {counts['persons']} new persons"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE development_applicant; ANALYZE development_step")
