"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2; docs/open311.md):
discovery, services, a service's definition, requests (GET a list, POST one), one request, and a
token. Every resource in .json and .xml; refusals are the spec's error list with the HTTP status
(400 bad input, 403 api_key, 404 not found).

Reading is public (no key): only what residents agreed to list, coarse (open311_selectors.py).
Posting needs a client system's api_key, issued by the county (setup.issue_client); the key
authenticates, so POST is exempt from the CSRF check that protects the pages of logged-in users.

The views parse, call the Open311 selectors or the filing service, and render; no query here."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import re_path, reverse
from django.views.decorators.csrf import csrf_exempt

from jiceng.core.errors import DomainError

from . import open311_selectors as sel
from . import open311_services, setup
from .open311_format import errors, render, w3
from .open311_selectors import Open311Error
from .services import CaseIn

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTACT = "平台由各县委组织部（县级管理员）负责运行；接入和使用问题请联系签发 api_key 的县级管理员。"
KEY_SERVICE = (
    "读取（discovery、services、requests）无须 api_key。提交诉求（POST requests）须由接入系统"
    "（如12345热线、城市服务平台）向所在县的管理员申请 api_key，在“诉求设置—接入系统”中签发，"
    "一个系统一个，可随时撤销；jurisdiction_id 为县的行政区划代码（GB/T 2260），签发时一并告知。"
)
PUBLIC_CACHE = "public, max-age=60"
# DomainError fields of services.submit -> the Open311 parameter they came from
PARAMS = {
    "area": "attribute[village]",
    "category": "service_code",
    "name": "first_name/last_name",
    "phone": "phone",
    "email": "email",
    "lat": "lat/long",
    "lon": "lat/long",
    "datum": "lat/long",
    "description": "description",
    "address": "address_string",
    "severity": "attribute[severity]",
    "title": "attribute[title]",
    "__all__": "request",
}
_ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[A-Za-z0-9_\-]{1,40})\](?P<many>\[\])?$")


def _respond(
    fmt: str, root: str, value: Any, *, status: int = 200, cache: str = PUBLIC_CACHE
) -> HttpResponse:
    body, content_type = render(fmt, root, value)
    response = HttpResponse(body, content_type=content_type, status=status)
    response["Cache-Control"] = cache
    return response


def _refusal(fmt: str, exc: Open311Error) -> HttpResponse:
    return _respond(fmt, "errors", errors(exc.status, exc.descriptions), status=exc.status, cache="no-store")


def endpoint(*methods: str) -> Callable:
    """An Open311 resource: the format from the URL, the methods it answers, Open311Error as the
    spec's error list in that format."""

    def wrap(view: Callable) -> Callable:
        allowed = (*methods, *(("HEAD",) if "GET" in methods else ()))

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, fmt: str = "xml", **kwargs) -> HttpResponse:
            if request.method not in allowed:
                response = _refusal(
                    fmt, Open311Error(405, f"不支持 {request.method} 方法（可用：{'、'.join(methods)}）。")
                )
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                return view(request, fmt, *args, **kwargs)
            except Open311Error as exc:
                return _refusal(fmt, exc)

        return wrapped

    return wrap


def _param(data, name: str) -> str:
    """One parameter; repeated ones (the spec allows service_code=a&service_code=b) joined by commas."""
    return ",".join(v for v in data.getlist(name) if v is not None)


def _key_client(value: str | None):
    """The client system an api_key names (not revoked); 403 otherwise."""
    value = (value or "").strip()
    if not value:
        raise Open311Error(403, "api_key：缺少 api_key，无法提交诉求。请向县级管理员申请。")
    client = setup.client_for_key(value)
    if client is None:
        raise Open311Error(403, "api_key：无效或已撤销，无法提交诉求。请向县级管理员申请。")
    return client


def _for_jurisdiction(client, j: sel.Jurisdiction):
    if client.county_id != j.area_id:
        raise Open311Error(403, f"api_key：不是辖区 {j.id} 签发的，不能用于该辖区。")
    return client


# --- discovery, services --------------------------------------------------------------------------------


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    changed = w3(sel.changeset())
    root = reverse("open311_discovery", kwargs={"fmt": fmt}).rsplit("/discovery.", 1)[0]
    doc = {
        "changeset": changed,
        "contact": getattr(settings, "JICENG_OPEN311_CONTACT", "") or CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(root),
                "changeset": changed,
                "type": "test" if settings.DEBUG else "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _respond(fmt, "discovery", doc)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    j = sel.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    doc = [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.description or None,
            "metadata": True,  # the village is asked for in every definition
            "type": "realtime",
            "keywords": s.keywords or None,
            "group": s.group or None,
        }
        for s in sel.services(j)
    ]
    return _respond(fmt, "services", doc)


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    j = sel.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    service, attributes = sel.definition(j, code)
    doc = {
        "service_code": service.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                **({"values": [{"key": v.key, "name": v.name} for v in a.values]} if a.values else {}),
            }
            for a in attributes
        ],
    }
    return _respond(fmt, "service_definition", doc)


# --- requests ---------------------------------------------------------------------------------------------


def parse_search(data) -> sel.Search:
    """GET requests' optional arguments; every problem at once (400). An empty argument counts as
    absent (the spec's "Optional")."""
    problems: list[str] = []
    ids_text = _param(data, "service_request_id")
    ids = tuple(x.strip() for x in ids_text.split(",") if x.strip())
    if ids:
        if len(ids) > sel.MAX_IDS or not all(x.isascii() and x.isdigit() and len(x) <= 18 for x in ids):
            raise Open311Error(
                400, f"service_request_id：应为以逗号分隔的诉求编号（数字），最多{sel.MAX_IDS}个。"
            )
        return sel.Search(ids=tuple(int(x) for x in ids))  # overrides every other argument
    codes = tuple(x.strip() for x in _param(data, "service_code").split(",") if x.strip())
    if len(codes) > sel.MAX_CODES or any(len(c) > 40 for c in codes):
        problems.append(f"service_code：最多{sel.MAX_CODES}个类别代码，每个最多40个字符。")
    statuses = frozenset(x.strip() for x in _param(data, "status").split(",") if x.strip())
    if statuses - {"open", "closed"}:
        problems.append("status：只能是 open 或 closed（可用逗号分隔）。")
    dates: dict[str, Any] = {}
    for name in ("start_date", "end_date"):
        value = (data.get(name) or "").strip()
        dates[name] = None
        if value:
            try:
                dates[name] = sel.parse_datetime(name, value)
            except Open311Error as exc:
                problems.extend(exc.descriptions)
    if problems:
        raise Open311Error(400, *problems)
    return sel.Search(codes=codes, start=dates["start_date"], end=dates["end_date"], statuses=statuses)


def _request_doc(r: sel.Request) -> dict[str, Any]:
    return {
        "service_request_id": r.service_request_id,
        "status": r.status,
        "status_notes": r.status_notes,
        "service_name": r.service_name,
        "service_code": r.service_code,
        "description": r.description or None,
        "agency_responsible": r.agency_responsible,
        "service_notice": r.service_notice,
        "requested_datetime": r.requested_datetime,
        "updated_datetime": r.updated_datetime,
        "expected_datetime": r.expected_datetime,
        "address": r.address,
        "address_id": r.address_id,
        "zipcode": r.zipcode,
        "lat": r.lat,
        "long": r.long,
        "media_url": r.media_url,
    }


def _attributes(data) -> dict[str, list[str]]:
    """attribute[code]=value and attribute[code][]=value (a multivaluelist), by code."""
    out: dict[str, list[str]] = {}
    for key in data:
        m = _ATTRIBUTE.match(key)
        if m:
            out.setdefault(m.group("code"), []).extend(v.strip() for v in data.getlist(key) if v.strip())
    return out


def _name(first: str, last: str) -> str:
    """first_name + last_name as one name: a Chinese name family name first, without a space."""
    first, last = (first or "").strip(), (last or "").strip()
    if any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in first + last):
        return last + first
    return f"{first} {last}".strip()


def _single(attrs: dict[str, list[str]], code: str, problems: list[str]) -> str:
    values = attrs.get(code, [])
    if len(values) > 1:
        problems.append(f"attribute[{code}]：只能选一个值。")
    return values[0] if values else ""


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    # before anything else: nothing is read without a key (in the body, or the query string)
    client = _key_client(data.get("api_key") or request.GET.get("api_key"))
    j = sel.resolve_jurisdiction(data.get("jurisdiction_id") or request.GET.get("jurisdiction_id"))
    client = _for_jurisdiction(client, j)
    service = sel.service(j, data.get("service_code"))
    attrs = _attributes(data)
    problems: list[str] = []
    village = _single(attrs, "village", problems)
    area_id = sel.village_key(j, village) if village else None
    has_point = bool((data.get("lat") or "").strip() or (data.get("long") or "").strip())
    if not village:
        problems.append(
            "attribute[village]：必填，请按服务定义（services/"
            f"{service.code}.{fmt}）选择所在村（社区）。"
            + (
                "本系统没有地理编码，不能由经纬度（lat/long）确定所在村（社区）；经纬度照原样保存。"
                if has_point
                else ""
            )
        )
    elif area_id is None:
        problems.append(f"attribute[village]：不是辖区 {j.id} 的村（社区）编号（{village[:20]}）。")
    severity = _single(attrs, "severity", problems) or "normal"
    title = _single(attrs, "title", problems)
    public = _single(attrs, "public", problems) or "true"
    if public not in ("true", "false"):
        problems.append("attribute[public]：只能是 true 或 false。")
    case_in = CaseIn(
        category_id=service.category_id,
        description=data.get("description", ""),
        area_id=None if problems else area_id,  # with a problem of ours, submit only validates
        name=_name(data.get("first_name", ""), data.get("last_name", "")),
        phone=data.get("phone", ""),
        title=title,
        severity=severity,
        address=data.get("address_string", ""),
        email=data.get("email", ""),
        lat=data.get("lat") or None,
        lon=data.get("long") or None,
        datum="wgs84",
        public=public != "false",
        # media_url, device_id, account_id, address_id: not used (docs/open311.md)
    )
    if problems:
        found = open311_services.validation_errors(client=client, data=case_in)
        found.pop("area", None)  # our own attribute[village] message stands for it
        raise Open311Error(400, *problems, *_descriptions(found))
    try:
        filed = open311_services.file_request(client=client, data=case_in)
    except DomainError as exc:
        raise Open311Error(400, *_descriptions(exc.errors)) from None
    doc = [
        {
            "service_request_id": filed.service_request_id,
            "token": filed.token,
            "service_notice": filed.service_notice,
            "account_id": filed.account_id,
        }
    ]
    return _respond(fmt, "service_requests", doc, status=201, cache="no-store")


def _descriptions(found: dict[str, list[str]]) -> list[str]:
    return [
        f"{PARAMS.get(field, field)}: {message}" for field, messages in found.items() for message in messages
    ]


@csrf_exempt  # client systems authenticate with their api_key, not a session
@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post(request, fmt)  # GET and HEAD below
    j = sel.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    found = sel.search(j, parse_search(request.GET))
    return _respond(fmt, "service_requests", [_request_doc(r) for r in found])


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    j = sel.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    key = (request.GET.get("api_key") or "").strip()
    client = _for_jurisdiction(_key_client(key), j) if key else None
    found = sel.request(j, request_id, client_id=client.pk if client else None)
    return _respond(
        fmt, "service_requests", [_request_doc(found)], cache="no-store" if client else PUBLIC_CACHE
    )


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    j = sel.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    doc = [{"service_request_id": sel.token_request_id(j, token), "token": token}]
    return _respond(fmt, "service_requests", doc, cache="no-store")


@endpoint("GET", "POST")
def unknown(request: HttpRequest, fmt: str, rest: str = "") -> HttpResponse:
    raise Open311Error(
        404,
        "没有这个资源：可用 discovery、services、services/<service_code>、requests、requests/<id>、"
        "tokens/<token>，后缀 .json 或 .xml。",
    )


FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    # the spec's suggestion: discovery at the root as well
    re_path(r"^$", discovery, {"fmt": "xml"}, name="open311_root"),
    re_path(r"^discovery" + FMT, discovery, name="open311_discovery"),
    re_path(r"^services" + FMT, service_list, name="open311_services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, service_definition, name="open311_service"),
    re_path(r"^requests" + FMT, requests, name="open311_requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)" + FMT, request_detail, name="open311_request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, token, name="open311_token"),
    # in the format asked for when it can be read, otherwise XML (the required one)
    re_path(r"^(?P<rest>.*?)(?:\.(?P<fmt>json|xml))?$", csrf_exempt(unknown), name="open311_unknown"),
]
