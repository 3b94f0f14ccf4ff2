"""Core API: organisation tree, area tree, indicators."""

from __future__ import annotations

import uuid

from django.http import FileResponse
from ninja import Field, Router, Schema, Status

from jiceng.core import indicators, jobs, ledgers, selectors
from jiceng.core.dbrouter import reporting
from jiceng.core.errors import NotFound
from jiceng.core.models import Job, Org
from jiceng.core.periods import parse_period
from jiceng.core.scoping import root_orgs

router = Router(tags=["组织与区域 orgs & areas"])


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    depth: int
    numchild: int
    area_id: int | None = None
    established_on: str | None = None

    @staticmethod
    def resolve_established_on(obj: Org) -> str | None:
        return obj.established_on.isoformat() if obj.established_on else None


class OrgNodeOut(Schema):
    org: OrgOut
    ancestors: list[OrgOut]
    children: list[OrgOut]


class AreaOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    code: str
    depth: int
    numchild: int


class AreaNodeOut(Schema):
    area: AreaOut
    ancestors: list[AreaOut]
    children: list[AreaOut]


class PartOut(Schema):
    key: str
    label: str
    value: int


class IndicatorOut(Schema):
    name: str
    label: str
    unit: str
    org_id: int
    period: str
    as_of: str
    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    parts: list[PartOut] = []
    stored_at: str | None = Field(None, description="时间：来自汇总表（rollup）时的计算时间；实时计算时为空")
    pending: bool = Field(
        False,
        description="汇总表计算之后该子树又有写入，将在下一轮汇总中纳入（见 docs/scaling.md 的各级耗时）",
    )


class IndicatorInfo(Schema):
    name: str
    label: str
    unit: str
    description: str


@router.get("/orgs", response=list[OrgOut], summary="我可见的顶层组织 / Organisations at the top of my scope")
def org_roots(request):
    return root_orgs(request.auth)


@router.get("/orgs/{org_id}", response=OrgNodeOut, summary="组织节点：本级、上级与下级")
def org_node(request, org_id: int):
    org = selectors.org_get(actor=request.auth, org_id=org_id)
    return {
        "org": org,
        "ancestors": selectors.org_ancestors_in_scope(actor=request.auth, org=org),
        "children": list(selectors.org_children(actor=request.auth, org=org)),
    }


@router.get("/areas", response=list[AreaOut], summary="我可见的顶层区域")
def area_roots(request):
    return list(selectors.root_areas(actor=request.auth))


@router.get("/areas/{area_id}", response=AreaNodeOut, summary="区域节点：本级、上级与下级")
def area_node(request, area_id: int):
    area = selectors.area_get(actor=request.auth, area_id=area_id)
    return {
        "area": area,
        "ancestors": selectors.area_ancestors_in_scope(actor=request.auth, area=area),
        "children": list(selectors.area_children(actor=request.auth, area=area)),
    }


@router.get("/indicators", response=list[IndicatorInfo], summary="已注册的指标")
def indicator_list(request):
    return [
        {"name": i.name, "label": i.label, "unit": i.unit, "description": i.description}
        for i in sorted(indicators.registry().values(), key=lambda i: i.name)
    ]


@router.get("/indicators/{name}", response=IndicatorOut, summary="计算一个指标（组织子树 × 统计期间）")
def indicator_value(request, name: str, org: int | None = None, period: str | None = None):
    with reporting():  # read-only; the token check ran before, on default
        return _indicator_value(request, name, org, period)


def _indicator_value(request, name: str, org: int | None, period: str | None) -> dict:
    node = selectors.org_or_top(actor=request.auth, org_id=org)
    p = parse_period(period)
    got = indicators.compute_many(actor=request.auth, names=[name], org=node, period=p)
    val = got.values[name]
    ind = indicators.get(name)
    return {
        "name": name,
        "label": ind.label,
        "unit": ind.unit,
        "org_id": node.pk,
        "period": p.label,
        "as_of": p.as_of.isoformat(),
        "value": val.value,
        "numerator": val.numerator,
        "denominator": val.denominator,
        "parts": [vars(x) for x in val.parts],
        "stored_at": got.stored_at.isoformat() if got.stored_at else None,
        "pending": got.pending,
    }


# --- jobs -------------------------------------------------------------------------------------------


class JobOut(Schema):
    id: str
    kind: str
    title: str
    status: str = Field(..., description="queued / running / succeeded / failed")
    stage: str
    done: int
    total: int
    percent: int
    message: str
    result: dict
    org_id: int | None = None
    created_at: str
    finished_at: str | None = None
    result_url: str | None = Field(None, description="结果文件（仅本人可下载；含个人信息的到期失效）")
    expires_at: str | None = None


def job_out(job: Job) -> dict:
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "result": job.result if isinstance(job.result, dict) else {},
        "org_id": job.org_id,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "result_url": f"/api/v1/jobs/{job.pk}/result" if jobs.downloadable(job) else None,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
    }


# --- ledgers ----------------------------------------------------------------------------------------


class LedgerInfo(Schema):
    key: str
    title: str
    description: str
    personal: bool = Field(..., description="含个人信息：须有导出权限，每次导出记入审计日志")
    period: bool = Field(..., description="是否按统计期间（period）导出")
    allowed: bool = Field(..., description="调用者能否导出")


@router.get("/ledgers", response=list[LedgerInfo], summary="台账列表：可导出哪些台账")
def ledger_list(request):
    return [
        {
            "key": o.ledger.key,
            "title": o.ledger.title,
            "description": o.ledger.description,
            "personal": o.ledger.personal,
            "period": o.ledger.period,
            "allowed": o.allowed,
        }
        for o in ledgers.offers(request.auth)
    ]


@router.get(
    "/ledgers/{key}",
    summary="导出一份台账（format=xlsx 或 csv；org 为组织子树，period 为统计期间，其余参数为该台账的筛选条件）",
    response={200: None, 202: JobOut},
    openapi_extra={"responses": {"200": {"description": "xlsx 或 csv 文件（行数多时为202和导出任务）"}}},
)
def ledger_export(request, key: str, org: int | None = None, period: str | None = None, format: str = "xlsx"):
    with reporting():  # read-only but for the export's audit entry, which the router sends to default
        ledger, req, _form = ledgers.prepare(actor=request.auth, key=key, data=request.GET)
        out = ledgers.export(ledger, req, format, asked=dict(request.GET.items()))
    if isinstance(out, Job):  # too large for a request: 202, and the job to follow
        return Status(202, job_out(out))
    return out


@router.get("/jobs", response=list[JobOut], summary="我的后台任务（导入、大批量导出等），最近50个")
def job_list(request):
    return [job_out(j) for j in selectors.jobs_for(actor=request.auth)[:50]]


@router.get("/jobs/{job_id}", response=JobOut, summary="一个后台任务的进度与结果（仅本人）")
def job_detail(request, job_id: uuid.UUID):
    return job_out(selectors.job_get(actor=request.auth, job_id=job_id))


@router.get(
    "/jobs/{job_id}/result",
    summary="下载后台任务的结果文件（仅本人，含个人信息的到期失效）",
    response={200: None},
    openapi_extra={"responses": {"200": {"description": "结果文件"}}},
)
def job_result(request, job_id: uuid.UUID):
    job = selectors.job_get(actor=request.auth, job_id=job_id)
    path = jobs.downloadable(job)
    if path is None:
        raise NotFound()
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)


@router.post("/jobs/{job_id}/retry", response=JobOut, summary="重试失败的后台任务（使用原来的文件和参数）")
def job_retry(request, job_id: uuid.UUID):
    job = selectors.job_get(actor=request.auth, job_id=job_id)
    return job_out(jobs.retry(actor=request.auth, job=job))
