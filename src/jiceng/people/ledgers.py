"""People's ledgers (core.ledgers): the member roster (党员名册)."""

from __future__ import annotations

from jiceng.core.ledgers import Ledger, LedgerRequest, Sheet, register
from jiceng.core.roles import Perm

from . import selectors
from .forms import MemberSearchForm
from .selectors import MEMBER_EXPORT_HEADERS, MemberFilters


def member_filters(actor, data) -> tuple[MemberSearchForm, MemberFilters]:
    """The member list's search (name, ID tail, status, age band, education, mobility) from a query
    string; the bands are the rule pack's at the actor's top organisation."""
    from jiceng.core.rulepacks import rule

    rules_at = selectors.rules_org(actor)
    form = MemberSearchForm(
        data or None,
        age_bands=rule("people.age_bands", rules_at),
        education_bands=rule("people.education_bands", rules_at),
    )
    del form.fields["org"]  # the ledger page has its own organisation select (LedgerRequest.org)
    filters = MemberFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = MemberFilters(
            q=d["q"],
            id_tail=d["id_tail"],
            status=d["status"],
            age_band=d["age_band"],
            education=d["education"],
            mobility=d["mobility"],
        )
    return form, filters


def _roster(req: LedgerRequest):
    filters = req.filters or MemberFilters()
    if req.org is not None:
        filters = MemberFilters(**{**vars(filters), "org": req.org})
    return selectors.member_export_rows(actor=req.actor, filters=filters)


def _count(req: LedgerRequest) -> int:
    filters = req.filters or MemberFilters()
    if req.org is not None:
        filters = MemberFilters(**{**vars(filters), "org": req.org})
    return selectors.member_search(actor=req.actor, filters=filters, perm=Perm.EXPORT_PERSONAL).count()


register(
    Ledger(
        key="people.members",
        title="党员名册",
        description="党员的基本信息（身份证号、电话脱敏），按查询条件筛选。",
        sheets=(Sheet("党员名册", MEMBER_EXPORT_HEADERS, _roster),),
        personal=True,
        period=False,
        parse=member_filters,
        count=_count,
        target_type="people.partymember",
        order=10,
    )
)
