"""The JSON API: /api/v1/…, OpenAPI at /api/openapi.json. Each installed app declares its router in
its plugin (core.kit); this module assembles them and maps domain errors to HTTP answers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from jiceng.core import kit
from jiceng.core.boundary import validation_errors
from jiceng.core.errors import DomainError, NotFound


class BearerToken(HttpBearer):
    """Personal access tokens (created on the profile page): ``Authorization: Bearer jc_…``."""

    def authenticate(self, request: HttpRequest, token: str):
        from jiceng.core.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session (CSRF checked, as for any form)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None


_REFUSAL = {
    "type": "object",
    "title": "Refusal",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "stage": {"type": "string", "enum": ["input", "rules"]},
    },
}
_REFUSALS = {
    "400": "拒绝：字段格式或业务规则（errors 列出每个字段和规则），不作任何修改",
    "401": "未登录或令牌无效",
    "404": "不存在或不在您的管辖范围内（两者不作区分）",
}


class Api(NinjaAPI):
    """The OpenAPI document also lists every operation's refusals (400, 401, 404) with their one
    body, so that clients — and schemathesis in CI — can rely on them."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Refusal"] = _REFUSAL
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}
        for operations in schema.get("paths", {}).values():
            for op in operations.values():
                responses = op.setdefault("responses", {})
                for code, description in _REFUSALS.items():
                    responses.setdefault(code, {"description": description, "content": body})
        return schema


def build_api() -> NinjaAPI:
    """A NinjaAPI with every installed app's router (core.kit), errors mapped to HTTP answers."""
    api = Api(
        title="jiceng 基层 API",
        version="1",
        description=(
            "党建引领基层治理平台接口。所有数据按调用者的组织范围过滤。"
            "所有拒绝均为HTTP 400：{errors: [{field, message}], stage}，stage 为 input（字段格式、长度、未知字段）"
            "或 rules（业务规则），message 为中文并写明字段和规则；被拒绝的请求不作任何修改。"
        ),
        auth=[BearerToken(), SessionAuth(csrf=True)],
        urls_namespace="api",
        openapi_url="/openapi.json",
        docs_url="/docs",
    )

    @api.exception_handler(DomainError)
    def _domain_error(request, exc: DomainError):
        return api.create_response(request, {"errors": exc.as_list(), "stage": "rules"}, status=400)

    @api.exception_handler(ValidationError)
    def _invalid(request, exc: ValidationError):
        # one status for every refusal (the boundary's and the services'): 400, fields named in Chinese
        return api.create_response(
            request, {"errors": validation_errors(list(exc.errors)), "stage": "input"}, status=400
        )

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        # ninja's own refusals ("Cannot parse request body", …) in the one body every refusal has
        message = {
            "Cannot parse request body": "请求体无法解析：应为UTF-8编码的JSON。",
        }.get(exc.message, f"请求无法处理（{exc.message}）。")
        return api.create_response(
            request,
            {"errors": [{"field": "__all__", "message": message}], "stage": "input"},
            status=exc.status_code,
        )

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_000_000 or 1
        return api.create_response(
            request,
            {
                "errors": [
                    {
                        "field": "__all__",
                        "message": f"请求体过大：JSON请求最多约{limit} MB，文件请用导入接口上传。",
                    }
                ]
            },
            status=400,
        )

    @api.exception_handler(NotFound)
    def _not_found(request, exc):
        from jiceng.core import security

        security.denied(request, detail="api")
        return api.create_response(
            request, {"errors": [{"field": "__all__", "message": "未找到或无权访问。"}]}, status=404
        )

    @api.exception_handler(AuthenticationError)
    def _unauthorised(request, exc):
        return api.create_response(
            request, {"errors": [{"field": "__all__", "message": "未登录或令牌无效。"}]}, status=401
        )

    for router in kit.api_routers():
        api.add_router("/v1/", router)
    return api
