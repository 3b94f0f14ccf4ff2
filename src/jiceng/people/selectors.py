"""People reads. Every function takes the actor and starts from its scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from jiceng.core import crypto
from jiceng.core.boundary import identifier
from jiceng.core.dates import years_between
from jiceng.core.exports import EXPORT_CHUNK_SIZE, choice_labels
from jiceng.core.models import Area, AreaKind, Org
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import area_q, get_scoped_or_404, org_q

from .models import CadrePost, Committee, Household, MemberStatus, Mobility, PartyMember, Person, Post
from .plugin import CHANGE_MEMBER
from .queries import active_on_q, age_band_q


@dataclass
class MemberFilters:
    q: str = ""  # name contains
    id_tail: str = ""  # last four characters of the ID number
    org: Org | None = None  # subtree
    status: str = ""
    age_band: str = ""
    education: str = ""  # education band key
    mobility: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "q": self.q,
            "id_tail": self.id_tail,
            "org": str(self.org.pk) if self.org else "",
            "status": self.status,
            "age_band": self.age_band,
            "education": self.education,
            "mobility": self.mobility,
        }


def rules_org(actor) -> Org | None:
    """The organisation whose rule pack applies to the actor's own pages (their top node)."""
    from jiceng.core.scoping import root_orgs

    roots = root_orgs(actor, Perm.VIEW_ORG)
    return roots[0] if roots else None


def members_for(*, actor, perm: str = Perm.VIEW_MEMBER) -> QuerySet[PartyMember]:
    return PartyMember.objects.filter(org_q(actor, perm)).select_related("person", "org")


def member_search(*, actor, filters: MemberFilters, perm: Perm = Perm.VIEW_MEMBER) -> QuerySet[PartyMember]:
    """``perm``: VIEW_MEMBER for pages, EXPORT_PERSONAL for exports (a role may read where it may not
    export)."""
    qs = members_for(actor=actor, perm=perm).filter(left_on__isnull=True)  # the rolls: not those who left
    if filters.q:
        # names match from their start (surname first): an index range, where "contains" reads all
        # 2 M persons of a province (650 ms) and a trigram index cannot help two-character names
        qs = qs.filter(person__name__startswith=filters.q.strip())
    if filters.id_tail:
        qs = qs.filter(
            person__id_number_tail_digest=crypto.digest(identifier(filters.id_tail), field="id_number_tail")
        )
    if filters.org is not None:
        qs = qs.filter(org__path__startswith=filters.org.path)
    if filters.status in MemberStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.mobility in Mobility.values:
        qs = qs.filter(mobility=filters.mobility)
    scope_org = filters.org or rules_org(actor)
    if filters.age_band:
        bands = {b["key"]: b for b in rule("people.age_bands", scope_org)}
        if filters.age_band in bands:
            qs = qs.filter(age_band_q(bands[filters.age_band], timezone.localdate(), "person__birth_date"))
    if filters.education:
        bands = {b["key"]: b for b in rule("people.education_bands", scope_org)}
        if filters.education in bands:
            qs = qs.filter(person__education__in=bands[filters.education]["levels"])
    return qs.order_by("org__path", "person__name", "pk")


MEMBER_EXPORT_HEADERS = (
    "姓名",
    "性别",
    "民族",
    "年龄",
    "学历",
    "身份证号（脱敏）",
    "联系电话（脱敏）",
    "所属党组织",
    "党员类别",
    "入党日期",
    "转正日期",
    "流动状态",
    "流动去向",
)


def member_export_rows(*, actor, filters: MemberFilters) -> Iterator[tuple]:
    """党员名册 rows (MEMBER_EXPORT_HEADERS) for ``member_search`` under the export permission: one flat
    query, names joined in SQL and choice labels from a dict (docs/scaling.md). ID and phone only
    masked: the ciphertext is never selected."""
    genders = choice_labels(Person, "gender")
    educations = choice_labels(Person, "education")
    statuses = choice_labels(PartyMember, "status")
    mobilities = choice_labels(PartyMember, "mobility")
    rows = member_search(actor=actor, filters=filters, perm=Perm.EXPORT_PERSONAL).values_list(
        "person__name",
        "person__gender",
        "person__ethnicity",
        "person__birth_date",
        "person__education",
        "person__id_number_masked",
        "person__phone_masked",
        "org__name",
        "status",
        "joined_on",
        "full_on",
        "mobility",
        "mobility_note",
    )
    today = timezone.localdate()
    for (
        name,
        gender,
        ethnicity,
        birth_date,
        education,
        id_masked,
        phone_masked,
        org_name,
        status,
        joined_on,
        full_on,
        mobility,
        mobility_note,
    ) in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield (
            name,
            genders.get(gender, gender),
            ethnicity,
            # the age, not the birth date: beside the masked ID number the date is the hidden digits
            None if birth_date is None else years_between(birth_date, today),
            educations.get(education, education),
            id_masked,
            phone_masked,
            org_name,
            statuses.get(status, status),
            joined_on,
            full_on,
            mobilities.get(mobility, mobility),
            mobility_note,
        )


def member_get(*, actor, member_id) -> PartyMember:
    return get_scoped_or_404(
        members_for(actor=actor).select_related("person__area", "person__household"), pk=member_id
    )


def member_get_for_change(*, actor, member_id) -> PartyMember:
    return get_scoped_or_404(members_for(actor=actor, perm=CHANGE_MEMBER), pk=member_id)


def member_posts(*, actor, member: PartyMember) -> QuerySet[CadrePost]:
    return CadrePost.objects.filter(area_q(actor, Perm.VIEW_MEMBER), person=member.person).select_related(
        "area"
    )


def village_annotated(*, actor, village):
    """One village as the village list shows it (its seat counts and 一肩挑 flag), in scope."""
    return villages_for(actor=actor).get(pk=village.pk)


def villages_for(
    *, actor, within: Area | None = None, q: str = "", dual: bool | None = None
) -> QuerySet[Area]:
    """Villages and communities in scope, annotated with their current 一肩挑 state; ``q``: name
    contains, ``dual``: only those with (True) or without (False) 一肩挑."""
    today = timezone.localdate()
    qs = Area.objects.filter(
        area_q(actor, Perm.VIEW_MEMBER, field=""), kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY]
    )
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if q:
        qs = qs.filter(name__contains=q)
    qs = qs.annotate(dual_role=dual_role_exists(today))
    if dual is not None:
        qs = qs.filter(dual_role=dual)
    return qs.order_by("path")


def dual_role_exists(day) -> Exists:
    """一肩挑: the same person is the party secretary and the committee chair of the area on ``day``."""
    chair = CadrePost.objects.filter(
        active_on_q(day),
        area=OuterRef("area"),
        person=OuterRef("person"),
        committee__in=[Committee.VILLAGERS, Committee.RESIDENTS],
        post=Post.CHAIR,
    )
    return Exists(
        CadrePost.objects.filter(
            active_on_q(day), area=OuterRef("pk"), committee=Committee.PARTY, post=Post.SECRETARY
        ).filter(Exists(chair))
    )


def village_get(*, actor, area_id) -> Area:
    return get_scoped_or_404(
        Area.objects.filter(
            area_q(actor, Perm.VIEW_MEMBER, field=""), kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY]
        ),
        pk=area_id,
    )


def village_get_for_change(*, actor, area_id) -> Area:
    """A village or community whose 两委 seats the actor may change."""
    return get_scoped_or_404(
        Area.objects.filter(
            area_q(actor, CHANGE_MEMBER, field=""), kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY]
        ),
        pk=area_id,
    )


def _with_membership(qs: QuerySet[CadrePost]) -> QuerySet[CadrePost]:
    return qs.select_related("person").annotate(
        is_member=Exists(PartyMember.objects.filter(person=OuterRef("person")))
    )


def village_posts(*, actor, village: Area) -> QuerySet[CadrePost]:
    """Seats held today."""
    qs = CadrePost.objects.filter(
        area_q(actor, Perm.VIEW_MEMBER), active_on_q(timezone.localdate()), area=village
    )
    return _with_membership(qs).order_by("committee", "post", "person__name")


def post_get_for_change(*, actor, post_id) -> CadrePost:
    """A 两委 seat in a village the actor may change (to end its term)."""
    qs = CadrePost.objects.filter(area_q(actor, CHANGE_MEMBER)).select_related("area")
    return get_scoped_or_404(_with_membership(qs), pk=post_id)


def person_get(*, actor, person_id) -> Person:
    return get_scoped_or_404(Person.objects.filter(person_in_scope_q(actor)), pk=person_id)


VILLAGE_PERSON_LIMIT = 500


def village_people(*, actor, village: Area, q: str = "") -> QuerySet[Person]:
    """Who can be offered for a seat: party members of organisations anchored in the village (or
    its grids) and residents of the village, among the people the actor may see; unsliced (the
    seat form's searchable select draws a few and searches the rest). ``q``: any part of the name,
    those starting with it first."""
    near = Q(party_member__org__area__path__startswith=village.path) | Q(area__path__startswith=village.path)
    qs = (
        Person.objects.filter(person_in_scope_q(actor))
        .filter(near)
        .annotate(org_name=F("party_member__org__name"))
        .only("pk", "name", "id_number_masked")
    )
    if not q:
        return qs.order_by("name", "pk")
    first = Case(When(name__startswith=q, then=Value(0)), default=Value(1))
    return qs.filter(name__contains=q).annotate(rank=first).order_by("rank", "name", "pk")


def village_person_choices(*, actor, village: Area, limit: int = VILLAGE_PERSON_LIMIT) -> QuerySet[Person]:
    """``village_people``, capped: a select of thousands of names helps nobody, and the page must
    not grow with the village."""
    return village_people(actor=actor, village=village)[:limit]


def member_lookup(*, actor, q: str = "", org: Org | None = None, limit: int = 51) -> QuerySet[PartyMember]:
    """Members for a searchable select: in the actor's VIEW_MEMBER scope (``org``: within that node,
    already fetched in scope), whose name contains ``q``, those starting with it first, then by
    organisation. Only what an option shows is read: the name, the masked ID number, the branch."""
    qs = members_for(actor=actor).only(
        "pk", "org_id", "person_id", "person__name", "person__id_number_masked", "org__name", "org__path"
    )
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if not q:
        return qs.order_by("org__path", "person__name", "pk")[:limit]
    first = Case(When(person__name__startswith=q, then=Value(0)), default=Value(1))
    return (
        qs.filter(person__name__contains=q)
        .annotate(rank=first)
        .order_by("rank", "org__path", "person__name", "pk")[:limit]
    )


def households_for(*, actor, within: Area | None = None, tag: str = "") -> QuerySet[Household]:
    qs = (
        Household.objects.filter(area_q(actor, Perm.VIEW_MEMBER))
        .select_related("area")
        .prefetch_related("tags")
    )
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if tag:
        qs = qs.filter(tags__code=tag)
    return qs.order_by("area__path", "pk")


def person_in_scope_q(actor) -> Q:
    return Q(party_member__in=members_for(actor=actor).values("pk")) | area_q(actor, Perm.VIEW_MEMBER)


def area_stats(*, actor, area: Area) -> dict:
    """Sub-statistics of an area node, each one aggregate query."""
    from django.db.models import Count

    sub = Area.objects.filter(path__startswith=area.path).exclude(pk=area.pk)
    kinds = dict(sub.order_by().values_list("kind").annotate(n=Count("pk")))
    households = households_for(actor=actor, within=area)
    hh_total = households.count()
    by_tag = list(
        households.values("tags__name")
        .exclude(tags__isnull=True)
        .annotate(n=Count("pk", distinct=True))
        .order_by("tags__name")
    )
    residents_members = members_for(actor=actor).filter(person__area__path__startswith=area.path).count()
    return {
        "child_kinds": [(AreaKind(k).label, n) for k, n in sorted(kinds.items())],
        "households": hh_total,
        "households_by_tag": [(row["tags__name"], row["n"]) for row in by_tag],
        "members_living_here": residents_members,
    }


def member_org_choices(*, actor, member: PartyMember | None = None) -> QuerySet[Org]:
    """Organisations a member can be placed in from the edit form: member-eligible kinds in the
    actor's scope, within the township committee the member is under (moves across townships
    are relation transfers, a workflow of their own)."""
    from jiceng.core.models import OrgKind

    qs = Org.objects.filter(
        org_q(actor, CHANGE_MEMBER, field=""),
        kind__in=[OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.GROUP],
    )
    if member is not None:
        anchor = _member_anchor_path(member)
        if anchor:
            qs = qs.filter(path__startswith=anchor)
    return qs.order_by("path")


def _member_anchor_path(member: PartyMember) -> str | None:
    """The path of the township committee a member is under (their moves stay inside it), or None
    directly under the root."""
    step = Org.steplen
    ancestors = [member.org.path[:i] for i in range(step, len(member.org.path) + 1, step)]
    anchor = (
        Org.objects.filter(path__in=ancestors, kind="committee")
        .order_by("-depth")
        .values_list("path", flat=True)
        .first()
    )
    return anchor if anchor and len(anchor) > step else None


def member_org_anchor(*, actor, member: PartyMember) -> Org | None:
    """The committee within which ``member_org_choices`` keeps a member's moves, if the actor may
    see it (the edit form's search is then limited to it; else the actor's scope is narrower)."""
    from jiceng.core.scoping import orgs_for

    anchor = _member_anchor_path(member)
    return orgs_for(actor, Perm.VIEW_ORG).filter(path=anchor).first() if anchor else None


# --- one's own record and one's own grid (the home page) ----------------------------------------


def member_of_user(*, actor) -> PartyMember | None:
    """The party member the logged-in user is (their own record, whatever their grants), or None."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return (
        PartyMember.objects.filter(person__user_id=actor.pk)
        .select_related("person", "org__area", "person__household")
        .first()
    )


def own_posts(*, actor, member: PartyMember) -> QuerySet[CadrePost]:
    """The member's own 两委 posts, current first (their card shows them)."""
    return CadrePost.objects.filter(person_id=member.person_id).select_related("area").order_by("-term_from")


def grid_people(*, actor, grid: Area, q: str = "") -> QuerySet[Person]:
    """The residents recorded in a grid's households (members and non-members), in the actor's
    area scope; ``q`` searches the name, the household's address or its head."""
    qs = Person.objects.filter(area_q(actor, Perm.VIEW_MEMBER), area__path__startswith=grid.path)
    if q:
        qs = qs.filter(
            Q(name__contains=q) | Q(household__address__contains=q) | Q(household__head_name__contains=q)
        )
    return qs.select_related("household", "party_member__org").order_by("household__address", "name")


def grid_summary(*, actor, grid: Area) -> dict:
    """A grid's households, residents and members, and its flagged households (三留守 …): one
    aggregate query each, in the actor's area scope."""
    from django.db.models import Count

    households = households_for(actor=actor, within=grid)
    residents = Person.objects.filter(area_q(actor, Perm.VIEW_MEMBER), area__path__startswith=grid.path)
    tagged = (
        households.exclude(tags__isnull=True)
        .values("tags__code", "tags__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("tags__name")
    )
    return {
        "households": households.count(),
        "residents": residents.count(),
        "members": residents.filter(party_member__isnull=False).count(),
        "tagged": [(row["tags__code"], row["tags__name"], row["n"]) for row in tagged],
    }
