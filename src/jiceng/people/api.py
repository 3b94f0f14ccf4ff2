"""People API: members (search, detail, register, edit) and 两委 posts (list, seat, end a term)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from jiceng.core.boundary import In
from jiceng.core.dates import years_between
from jiceng.core.errors import DomainError, NotFound
from jiceng.core.models import Org
from jiceng.core.selectors import org_get, page
from jiceng.core.web import ensure

from . import imports, selectors, services
from .models import PartyMember
from .plugin import CHANGE_MEMBER

router = Router(tags=["党员 members"])


class MemberOut(Schema):
    id: int
    name: str = Field(..., alias="person.name")
    gender: str = Field(..., alias="person.gender")
    ethnicity: str = Field(..., alias="person.ethnicity")
    age: int | None = Field(
        None, description="年龄（周岁）。不给出生日期：与脱敏的身份证号放在一起会还原被隐去的数字"
    )
    education: str = Field(..., alias="person.education")
    id_number_masked: str = Field(..., alias="person.id_number_masked")
    phone_masked: str = Field(..., alias="person.phone_masked")
    org_id: int
    org_name: str = Field(..., alias="org.name")
    status: str
    joined_on: dt.date
    full_on: dt.date | None = None
    mobility: str
    mobility_note: str
    remarks: str

    @staticmethod
    def resolve_age(obj: PartyMember) -> int | None:
        birth = obj.person.birth_date
        return None if birth is None else years_between(birth, timezone.localdate())


class MemberPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MemberOut]


class MemberFilterIn(In):
    nullable = frozenset({"org"})
    q: str = Field("", max_length=50, description="姓名，从开头匹配（输入姓氏可查出同姓的所有人）")
    id_tail: str = Field("", max_length=4)
    org: int | None = None
    status: str = Field("", max_length=20)
    age_band: str = Field("", max_length=20)
    education: str = Field("", max_length=30)
    mobility: str = Field("", max_length=20)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class MemberPatch(In):
    """Only the fields sent change. null clears a field where that is allowed (birth date,
    full membership date); the text fields are cleared with ""; elsewhere null is refused."""

    multiline = frozenset({"remarks"})

    nullable = frozenset({"birth_date", "full_on"})
    name: str | None = Field(None, max_length=50)
    gender: str | None = Field(None, max_length=10)
    ethnicity: str | None = Field(None, max_length=20)
    birth_date: dt.date | None = None
    education: str | None = Field(None, max_length=30)
    id_number: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=30)
    org: int | None = None
    status: str | None = Field(None, max_length=20)
    joined_on: dt.date | None = None
    full_on: dt.date | None = None
    mobility: str | None = Field(None, max_length=20)
    mobility_note: str | None = Field(None, max_length=200)
    remarks: str | None = Field(None, max_length=500)


class MemberIn(In):
    """Registration: the fields of MemberPatch, the ones the record cannot do without required."""

    multiline = frozenset({"remarks"})

    nullable = frozenset({"birth_date", "full_on", "org"})
    name: str = Field(..., max_length=50)
    gender: str = Field(..., max_length=10)
    ethnicity: str = Field("汉族", max_length=20)
    birth_date: dt.date | None = None
    education: str = Field("", max_length=30)
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=30)
    org: int | None = Field(..., description="所属党组织 id（党支部、党总支或党小组）")
    status: str = Field(..., max_length=20)
    joined_on: dt.date
    full_on: dt.date | None = None
    mobility: str = Field("none", max_length=20)
    mobility_note: str = Field("", max_length=200)
    remarks: str = Field("", max_length=500)


class PostIn(In):
    nullable = frozenset({"term_to"})
    committee: str = Field(..., max_length=20, description="party / villagers / residents")
    post: str = Field(
        ..., max_length=30, description="secretary / deputy_secretary / chair / vice_chair / member"
    )
    person: int = Field(..., description="人员 id")
    term_from: dt.date
    term_to: dt.date | None = None


class PostEndIn(In):
    term_to: dt.date


class PostOut(Schema):
    id: int
    area_id: int
    person_id: int
    committee: str
    post: str
    person_name: str = Field(..., alias="person.name")
    is_party_member: bool = Field(..., alias="is_member")
    term_from: dt.date
    term_to: dt.date | None = None


class VillagePostsOut(Schema):
    area_id: int
    name: str
    dual_role: bool
    posts: list[PostOut]


@router.get(
    "/members", response=MemberPage, summary="党员查询（姓名、身份证后四位、组织、类别、年龄段、学历、流动）"
)
def member_list(request, f: Query[MemberFilterIn]):
    org = org_get(actor=request.auth, org_id=f.org) if f.org else None
    filters = selectors.MemberFilters(
        q=f.q,
        id_tail=f.id_tail,
        org=org,
        status=f.status,
        age_band=f.age_band,
        education=f.education,
        mobility=f.mobility,
    )
    qs = selectors.member_search(actor=request.auth, filters=filters)
    return page(qs, offset=f.offset, limit=f.limit)


class ImportQueued(Schema):
    job_id: str
    status_url: str = Field(..., description="GET：任务进度与结果（created，或 rows 列出的每一处错误）")


@router.post(
    "/members/import",
    response={202: ImportQueued},
    summary="批量导入党员（multipart：file 为 .xlsx 或 .csv，org 为所选组织 id）。文件本身的问题（无法读取、缺少必填列）"
    "立即返回400；逐行校验与写入由后台任务完成，返回202和任务地址：任一行有误则一行都不导入，任务结果列出每一处错误",
)
def member_import(
    request,
    org: Form[int | None] = None,
    file: File[UploadedFile | None] = None,
    ignore_unknown: Form[bool] = False,
):
    # Declared before /members/{member_id}, which would take "import" for an id. Both fields are
    # optional in the schema so that a missing one is a 400 naming the field, as elsewhere.
    ensure(request.auth, CHANGE_MEMBER)  # as the import page: no right to register anywhere, nothing here
    target, org_error = _org_for_member(request.auth, org)
    if org_error:
        raise DomainError(field="org", message=org_error)
    job = imports.import_start(
        actor=request.auth,
        org=target,
        file=file,
        filename=file.name if file is not None else "",
        ignore_unknown=ignore_unknown,
    )
    return Status(202, {"job_id": str(job.pk), "status_url": f"/api/v1/jobs/{job.pk}"})


@router.get("/members/{member_id}", response=MemberOut, summary="党员详情（个人信息脱敏）")
def member_detail(request, member_id: int):
    return selectors.member_get(actor=request.auth, member_id=member_id)


def _org_for_member(actor, org_id: int | None) -> tuple[Org | None, str | None]:
    """The organisation named by id, or (None, the message for field "org")."""
    if org_id is None:
        return None, "所属党组织：必填。"
    try:
        return org_get(actor=actor, org_id=org_id), None
    except NotFound:
        return None, "所属党组织：不存在或不在您的管辖范围内。"


@router.post(
    "/members", response=MemberOut, summary="登记党员（校验失败返回400并列出全部错误，不作任何保存）"
)
def member_create(request, payload: MemberIn):
    ensure(
        request.auth, CHANGE_MEMBER
    )  # as the registration page: no right to register anywhere, nothing here
    data = payload.dict()
    data["org"], org_error = _org_for_member(request.auth, payload.org)
    try:
        return services.member_create(actor=request.auth, **data)
    except DomainError as exc:
        if org_error:
            exc.errors["org"] = [org_error]
        raise DomainError(exc.errors) from None


@router.patch(
    "/members/{member_id}", response=MemberOut, summary="修改党员信息（校验失败返回400，不作任何修改）"
)
def member_patch(request, member_id: int, payload: MemberPatch):
    member: PartyMember = selectors.member_get_for_change(actor=request.auth, member_id=member_id)
    changes = payload.dict(exclude_unset=True)
    if "org" in changes:
        changes["org"], org_error = _org_for_member(request.auth, changes["org"])
        if org_error:
            raise DomainError(field="org", message=org_error)
    return services.member_update(actor=request.auth, member=member, **changes)


@router.get(
    "/villages/{area_id}/posts", response=VillagePostsOut, summary="村（社区）两委班子：一肩挑由任职推导"
)
def village_posts(request, area_id: int):
    village = selectors.village_get(actor=request.auth, area_id=area_id)
    annotated = selectors.village_annotated(actor=request.auth, village=village)
    return {
        "area_id": village.pk,
        "name": village.name,
        "dual_role": annotated.dual_role,
        "posts": list(selectors.village_posts(actor=request.auth, village=village)),
    }


@router.post(
    "/villages/{area_id}/posts", response=PostOut, summary="两委任职：安排人员任某一职务（需有修改权限）"
)
def village_post_create(request, area_id: int, payload: PostIn):
    village = selectors.village_get_for_change(actor=request.auth, area_id=area_id)
    try:
        person = selectors.person_get(actor=request.auth, person_id=payload.person)
    except NotFound:
        raise DomainError(field="person", message="人员：不存在或不在您的管辖范围内。") from None
    post = services.cadre_post_create(
        actor=request.auth,
        area=village,
        committee=payload.committee,
        post=payload.post,
        person=person,
        term_from=payload.term_from,
        term_to=payload.term_to,
    )
    return selectors.post_get_for_change(actor=request.auth, post_id=post.pk)


@router.post("/posts/{post_id}/end", response=PostOut, summary="结束（或更正）两委任职的任期")
def village_post_end(request, post_id: int, payload: PostEndIn):
    post = selectors.post_get_for_change(actor=request.auth, post_id=post_id)
    services.cadre_post_end(actor=request.auth, post=post, term_to=payload.term_to)
    return selectors.post_get_for_change(actor=request.auth, post_id=post.pk)
