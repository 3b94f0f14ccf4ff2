"""The mobility app's cases for the authorisation matrix (core.kit.AuthzCases): village B gets an
out-flow record of its member 王五 with a check-in, a member hosted from elsewhere, a transfer letter
out of the system, an assigned-work sign, its branch profile, a host enterprise and a migrant worker,
all made through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.core import kit

from . import services
from .models import BranchProfile, CheckIn, HostEnterprise, Inflow, MigrantWorker, Outflow, Transfer, WorkSign


def _records(w) -> dict:
    sec_b = w.users["sec_b"]
    today = timezone.localdate()
    out = services.outflow_record(
        actor=sec_b,
        member=w.member_b,
        destination="三社区外出广东",
        since=today - dt.timedelta(days=30),
        keep_in_touch="wechat",
        contact="wangwu_b",
    )
    services.checkin_record(actor=sec_b, outflow=out, on=today, kind="thought", channel="wechat")
    inflow = services.inflow_record(
        actor=sec_b,
        host=w.branch_b,
        name="王五流入",
        home_org="乙镇外县党支部",
        since=today - dt.timedelta(days=10),
    )
    transfer = services.transfer_issue(
        actor=sec_b,
        member=w.member_b,
        kind="outside",
        destination="乙镇外省党组织",
        letter_number="乙转1号",
        issued_on=today,
        dues_paid_to=today.replace(day=1),
    )
    sign = services.work_sign_record(
        actor=sec_b, member=w.member_b, since=today - dt.timedelta(days=200), reason="三社区任务"
    )
    services.profile_set(actor=sec_b, org=w.branch_b, branch_type="joint", online=False)
    enterprise = services.enterprise_save(actor=sec_b, org=w.branch_b, name="三社区务工企业", place="乙镇")
    worker = services.worker_save(
        actor=sec_b,
        org=w.branch_b,
        name="王五工",
        gender="male",
        destination="乙镇外",
        since=today - dt.timedelta(days=90),
        enterprise=enterprise,
    )
    return {
        "outflow_b": out,
        "inflow_b": inflow,
        "transfer_b": transfer,
        "sign_b": sign,
        "enterprise_b": enterprise,
        "worker_b": worker,
    }


def _state(w) -> dict:
    town_b = w.town_b.path
    return {
        "outflows_b": list(
            Outflow.objects.filter(member__org__path__startswith=town_b).order_by("pk").values()
        ),
        "checkins": CheckIn.objects.count(),
        "inflows_b": list(Inflow.objects.filter(host__path__startswith=town_b).order_by("pk").values()),
        "transfers_b": list(
            Transfer.objects.filter(from_org__path__startswith=town_b).order_by("pk").values()
        ),
        "signs_b": list(
            WorkSign.objects.filter(member__org__path__startswith=town_b).order_by("pk").values()
        ),
        "profiles_b": list(
            BranchProfile.objects.filter(org__path__startswith=town_b).order_by("pk").values()
        ),
        "enterprises": HostEnterprise.objects.count(),
        "enterprises_b": list(
            HostEnterprise.objects.filter(org__path__startswith=town_b).order_by("pk").values()
        ),
        "workers": MigrantWorker.objects.count(),
        "workers_b": list(MigrantWorker.objects.filter(org__path__startswith=town_b).order_by("pk").values()),
    }


CASES = kit.AuthzCases(
    records=_records,
    params={
        "outflow_id": lambda w, r: r["outflow_b"].pk,
        "inflow_id": lambda w, r: r["inflow_b"].pk,
        "transfer_id": lambda w, r: r["transfer_b"].pk,
        "sign_id": lambda w, r: r["sign_b"].pk,
        "enterprise_id": lambda w, r: r["enterprise_b"].pk,
        "worker_id": lambda w, r: r["worker_b"].pk,
    },
    page_writes={
        "mobility_enterprise_create": lambda w, r: {
            "org": w.branch_b.pk,
            "name": "越权企业",
            "place": "越权",
        },
        "mobility_worker_create": lambda w, r: {
            "org": w.branch_b.pk,
            "name": "越权",
            "gender": "male",
            "destination": "越权",
            "since": timezone.localdate().isoformat(),
        },
    },
    state=_state,
    visible_to_b=frozenset({"mobility_home", "mobility_workers", "mobility_enterprises"}),
)
