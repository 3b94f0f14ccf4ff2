"""Core's cases for the authorisation matrix (core.kit.AuthzCases)."""

from __future__ import annotations

from jiceng.core import jobs, kit, ledgers, services, workflows
from jiceng.core.models import ApiToken, AuditEntry, Job, Notification, RuleOverride, WorkflowDefinition


def _records(w) -> dict:
    """A job of B's secretary, done, with its result file (B's member roster): only its owner may
    see it, download the file or retry it."""
    job = jobs.start(
        actor=w.users["sec_b"],
        kind="core.ledger_export_personal",
        org=w.branch_b,
        params={"key": "people.members", "format": "csv", "query": {"org": str(w.branch_b.pk)}},
    )
    jobs.execute(str(job.pk))  # its owner is told: a notification of B's secretary
    return {"job": job, "notification": Notification.objects.filter(recipient=w.users["sec_b"]).latest("pk")}


CASES = kit.AuthzCases(
    records=_records,
    params={
        "org_id": lambda w, r: w.branch_b.pk,
        "area_id": lambda w, r: w.village_b.pk,
        "job_id": lambda w, r: r["job"].pk,
        "notification_id": lambda w, r: r["notification"].pk,
    },
    page_params={
        "token_id": lambda w, r: services.api_token_create(actor=w.users["sec_b"], name="b-token")[0].pk
    },
    # an indicator's name; a ledger's key, every one of them (pages and API)
    neutral_params={
        "name": lambda w, r: "people.member_count",
        "key": lambda w, r: list(ledgers.registry()),
        "workflow": lambda w, r: sorted(workflows.templates()),
    },
    query_probes={
        "org": lambda w: w.branch_b.pk,
        "area": lambda w: w.village_b.pk,
        "target_id": lambda w: w.member_b.pk,
    },
    page_writes={
        "rule_list": lambda w, r: {
            "org": w.town_b_org.pk,
            "key": "grading.bottom_share",
            "value": "0.2",
            "valid_from": "2020-01-01",
            "reason": "越权",
            "source": "越权",
        },
        "rollup_refresh": lambda w, r: {"org": w.town_b_org.pk, "period": ""},
        "workflow_detail": lambda w, r: {
            "org": w.town_b_org.pk,
            "operation": "insert",
            "insert-after": "proposed",
            "insert-label": "越权",
            "insert-note": "越权",
        },
    },
    state=lambda w: {
        "audit_count": AuditEntry.objects.count(),
        "overrides": list(RuleOverride.objects.order_by("pk").values_list("pk", "value")),
        "workflow_versions": WorkflowDefinition.objects.filter(org__isnull=False).count(),
        "tokens_b": list(ApiToken.objects.filter(user=w.users["sec_b"]).order_by("pk").values()),
        "jobs": list(Job.objects.order_by("pk").values("pk", "status", "attempts")),
        "notifications": list(Notification.objects.order_by("pk").values("pk", "status", "read_at")),
    },
    # org_lookup: a searchable select's options (core.lookup)
    visible_to_b=frozenset({"audit_list", "ledger_detail", "notification_list", "org_lookup"}),
)
