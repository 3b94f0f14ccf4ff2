"""The one Open311 write: a client system's POST files a case through services.submit and gets a
token with it, in one transaction (a refused POST stores nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from jiceng.core.errors import DomainError

from . import services
from .models import Open311Client


@dataclass(frozen=True)
class Filed:
    service_request_id: str
    token: str
    service_notice: str
    account_id: None = None  # residents have no accounts here


@transaction.atomic
def file_request(*, client: Open311Client, data: services.CaseIn) -> Filed:
    """File a resident's request for the client system that holds ``client``'s api_key. The
    service notice tells the client the tracking number (for the resident, who also receives it by
    SMS), who handles the case and by when; it is never shown in GET requests."""
    case = services.submit(actor=None, data=data, client=client)
    token = services.pending_token(case)
    due = timezone.localtime(case.due_at)
    notice = (
        f"已受理登记，编号{case.number}，由{case.handling_area.name}办理，"
        f"承诺{due:%Y年%m月%d日}前办结；群众可凭编号和手机号后四位查询进度并评价。"
    )
    return Filed(service_request_id=str(case.pk), token=token, service_notice=notice)


class _DryRun(Exception):
    pass


def validation_errors(*, client: Open311Client, data: services.CaseIn) -> dict[str, list[str]]:
    """What services.submit refuses in ``data``, storing nothing: the call runs inside a block that
    is always rolled back (a POST with a problem of Open311's own still hears of every other one)."""
    try:
        with transaction.atomic():
            services.submit(actor=None, data=data, client=client)
            raise _DryRun
    except DomainError as exc:
        return exc.errors
    except _DryRun:
        return {}
