"""Core's cases for the authorisation matrix (core.kit.AuthzCases)."""

from __future__ import annotations

from jiceng.core import kit, ledgers, services
from jiceng.core.models import ApiToken, AuditEntry

CASES = kit.AuthzCases(
    params={"org_id": lambda w, r: w.branch_b.pk, "area_id": lambda w, r: w.village_b.pk},
    page_params={"token_id": lambda w, r: services.api_token_create(actor=w.users["sec_b"], name="b-token")[0].pk},
    # an indicator's name; a ledger's key, every one of them (pages and API)
    neutral_params={"name": lambda w, r: "people.member_count", "key": lambda w, r: list(ledgers.registry())},
    query_probes={"org": lambda w: w.branch_b.pk, "area": lambda w: w.village_b.pk,
                  "target_id": lambda w: w.member_b.pk},
    state=lambda w: {
        "audit_count": AuditEntry.objects.count(),
        "tokens_b": list(ApiToken.objects.filter(user=w.users["sec_b"]).order_by("pk").values()),
    },
    visible_to_b=frozenset({"audit_list", "ledger_detail"}),
)
