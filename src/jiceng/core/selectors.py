"""Core reads, every one scoped to the actor."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import QuerySet

from .models import (
    ApiToken,
    Area,
    AuditEntry,
    Channel,
    HolidayOverride,
    Job,
    Notification,
    Org,
    RoleAssignment,
    User,
    WorkflowDefinition,
    WorkflowInstance,
)
from .roles import Perm
from .scoping import area_q, areas_for, get_scoped_or_404, org_q, orgs_for, path_q


def org_get(*, actor, org_id) -> Org:
    return get_scoped_or_404(orgs_for(actor, Perm.VIEW_ORG).select_related("area"), pk=org_id)


def org_or_top(*, actor, org_id=None) -> Org:
    """The organisation ``org_id`` names (in scope), or, given none, the top of the actor's scope;
    NotFound when there is neither (a user with no role)."""
    from .errors import NotFound
    from .scoping import root_orgs

    if org_id not in (None, ""):
        return org_get(actor=actor, org_id=org_id)
    roots = root_orgs(actor, Perm.VIEW_ORG)
    if not roots:
        raise NotFound()
    return roots[0]


def org_children(*, actor, org: Org, kinds=None) -> QuerySet[Org]:
    """Children of a node in scope (the node itself was fetched through org_get), of ``kinds``."""
    qs = Org.objects.filter(
        org_q(actor, Perm.VIEW_ORG, field=""), path__startswith=org.path, depth=org.depth + 1
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.select_related("area").order_by("path")


def org_parent(*, actor, org: Org) -> Org:
    """The node's parent, if the actor may see it (else NotFound)."""
    from .errors import NotFound

    parent = (
        orgs_for(actor, Perm.VIEW_ORG).filter(path=org.path[: -Org.steplen]).first()
        if org.depth > 1
        else None
    )
    if parent is None:
        raise NotFound()
    return parent


def org_ancestors_in_scope(*, actor, org: Org) -> list[Org]:
    """Breadcrumb: ancestors the actor may see (a village secretary sees no county above)."""
    step = Org.steplen
    paths = [org.path[:i] for i in range(step, len(org.path), step)]
    return list(Org.objects.filter(org_q(actor, Perm.VIEW_ORG, field=""), path__in=paths).order_by("depth"))


def org_search(
    *,
    actor,
    q: str = "",
    kind: str = "",
    limit: int = 50,
    perm: str = Perm.VIEW_ORG,
    kinds: tuple[str, ...] = (),
    within: Org | None = None,
) -> QuerySet[Org]:
    """Organisations whose name contains ``q``, those starting with it first, then in tree order.

    ``perm`` (a searchable select's: the right its form needs) only ever narrows the list: the rows
    are in the actor's scope for it and in what the actor may see at all (VIEW_ORG), so a page
    naming a broader right shows nothing more. ``within``: a node already fetched in scope."""
    qs = org_choices(actor=actor, perm=perm, kinds=kinds).select_related("area")
    if kind:
        qs = qs.filter(kind=kind)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if not q:
        return qs.order_by("path")[:limit]
    first = models.Case(models.When(name__startswith=q, then=models.Value(0)), default=models.Value(1))
    return qs.filter(name__icontains=q).annotate(rank=first).order_by("rank", "path")[:limit]


def org_choices(*, actor, perm: str = Perm.VIEW_ORG, kinds: tuple[str, ...] = ()) -> QuerySet[Org]:
    """Organisations a form's searchable select offers before anything is searched, in tree order
    and unsliced (core.widgets.SearchSelect draws the chosen one and the first few); the same rows
    as ``org_search`` without a search."""
    qs = orgs_for(actor, Perm.VIEW_ORG)
    if perm != Perm.VIEW_ORG:
        qs = qs.filter(org_q(actor, perm, field=""))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("path")


def area_get(*, actor, area_id) -> Area:
    return get_scoped_or_404(areas_for(actor, Perm.VIEW_ORG), pk=area_id)


def area_children(*, actor, area: Area) -> QuerySet[Area]:
    return Area.objects.filter(
        area_q(actor, Perm.VIEW_ORG, field=""), path__startswith=area.path, depth=area.depth + 1
    ).order_by("path")


def area_ancestors_in_scope(*, actor, area: Area) -> list[Area]:
    step = Area.steplen
    paths = [area.path[:i] for i in range(step, len(area.path), step)]
    return list(Area.objects.filter(area_q(actor, Perm.VIEW_ORG, field=""), path__in=paths).order_by("depth"))


def root_areas(*, actor) -> QuerySet[Area]:
    from .scoping import area_paths

    return Area.objects.filter(path__in=area_paths(actor, Perm.VIEW_ORG)).order_by("path")


def audit_entries(
    *,
    actor,
    q: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.filter(path_q(actor, Perm.VIEW_AUDIT, "org_path"))
    if q:
        qs = qs.filter(target_repr__icontains=q) | qs.filter(actor_name__icontains=q)
    if action:
        qs = qs.filter(action=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")


def api_tokens_for(*, actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).order_by("-created_at")


def orgs_for_area(*, actor, area: Area) -> QuerySet[Org]:
    """Party organisations anchored exactly at this area (e.g. a grid's party group)."""
    return orgs_for(actor, Perm.VIEW_ORG).filter(area=area).order_by("path")


def ledger_orgs(*, actor, perm: str, limit: int = 300) -> QuerySet[Org]:
    """Subtrees offered on a ledger's form: the committees and general branches the actor may export
    for (a branch's ledger is opened from its own page, with ?org=)."""
    from .models import OrgKind

    return (
        orgs_for(actor, perm)
        .filter(kind__in=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH])
        .order_by("path")[:limit]
    )


def holidays() -> QuerySet[HolidayOverride]:
    """The holiday table, newest first. Not scoped: the calendar is public and shared by every
    organisation."""
    return HolidayOverride.objects.order_by("-date")


def grants_of(*, actor) -> QuerySet[RoleAssignment]:
    """The actor's own role grants (their profile page)."""
    return RoleAssignment.objects.filter(user_id=actor.pk).select_related("org").order_by("org__path", "role")


def jobs_for(*, actor) -> QuerySet[Job]:
    """The actor's own jobs, newest first (a job, its progress and its result are its owner's)."""
    return Job.objects.filter(owner_id=actor.pk).select_related("org").order_by("-created_at")


def job_get(*, actor, job_id) -> Job:
    """One of the actor's own jobs, its state reconciled (a job whose worker is gone shows failed)."""
    from .jobs import reconcile

    return reconcile(get_scoped_or_404(jobs_for(actor=actor), pk=job_id))


def workflow_instance_get(*, actor, instance_id) -> WorkflowInstance:
    """A matter of a workflow that sits in the actor's scope."""
    qs = WorkflowInstance.objects.filter(org_q(actor, Perm.VIEW_ORG)).select_related(
        "definition", "org", "authority"
    )
    return get_scoped_or_404(qs, pk=instance_id)


def workflow_versions(*, actor, key: str, org: Org) -> QuerySet[WorkflowDefinition]:
    """The local versions of a workflow on ``org``'s path (the template's rows too), newest first."""
    from .rulepacks import ancestor_paths

    return (
        WorkflowDefinition.objects.filter(key=key)
        .filter(models.Q(org__isnull=True) | models.Q(org__path__in=ancestor_paths(org.path)))
        .select_related("org", "created_by")
        .order_by("-created_at", "-pk")
    )


def inbox(*, actor) -> QuerySet[Notification]:
    """The actor's own notifications in the site, unread first."""
    from django.db.models import F

    return Notification.objects.filter(recipient_id=actor.pk, channel=Channel.INBOX).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def notification_get(*, actor, notification_id) -> Notification:
    return get_scoped_or_404(inbox(actor=actor), pk=notification_id)


def outbox(*, actor, status: str = "", channel: str = "") -> QuerySet[Notification]:
    """Every message concerning the subtrees whose users the actor manages (an operator's view of
    what was, or would have been, sent)."""
    qs = Notification.objects.filter(path_q(actor, Perm.MANAGE_USERS, "org__path")).select_related(
        "recipient", "org"
    )
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("-created_at", "-pk")


def users_granted_within(*, org: Org, roles: tuple[str, ...]) -> QuerySet[User]:
    """Users holding one of ``roles`` on ``org`` or an organisation below it (who to tell about it).
    Unscoped: for services addressing a notification."""
    return User.objects.filter(
        is_active=True, role_assignments__role__in=roles, role_assignments__org__path__startswith=org.path
    ).distinct()


def page(qs: QuerySet, *, offset: int, limit: int) -> dict:
    """One page of a selector's rows for the API: {count, limit, offset, items}. The queryset comes
    scoped from its selector; this only counts and cuts it (two queries)."""
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset : offset + limit])}


# --- the rows behind a figure -------------------------------------------------------------------


def figure_rows(*, actor, name: str, org: Org, period, which: str = "value") -> tuple[QuerySet, bool]:
    """The records an indicator counts for ``org``'s subtree (``which``: the value, the numerator,
    the denominator or a part's key), as the indicator itself declares them, and whether they are
    people (then the actor needs VIEW_MEMBER there: a member who may see the figure may not see the
    names behind it). NotFound for an indicator without rows, or a subtree out of scope."""
    from . import indicators
    from .errors import NotFound
    from .scoping import can_access_org

    ind = indicators.get(name)
    if ind.rows is None or not can_access_org(actor, Perm.VIEW_ORG, org):
        raise NotFound()
    qs = ind.rows(org, period, which)
    personal = qs.model not in (Org, Area)
    if personal and not can_access_org(actor, Perm.VIEW_MEMBER, org):
        raise NotFound()
    return (qs if qs.ordered else qs.order_by("pk")).select_related(), personal


def each(qs: QuerySet, chunk_size: int = 2000):
    """The rows of a list for a streamed export, read in chunks."""
    return qs.iterator(chunk_size=chunk_size)
