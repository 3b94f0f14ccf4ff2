"""The small world (tests/world.py) with what case handling adds: a county department with a
handler, a township station, a mediator of each tier in village A, a court liaison, a hotline
operator and a village handler — all made through the services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jiceng.cases import services, setup
from jiceng.cases.models import Category
from tests.factories import UserFactory


@dataclass
class CaseWorld:
    w: object
    dept: object
    station: object
    users: dict

    def category(self, code: str) -> Category:
        return Category.objects.get(county__isnull=True, code=code)

    def file(self, code: str = "road", *, area=None, actor=None, severity="normal", **kw):
        data = services.CaseIn(
            category_id=self.category(code).pk,
            description=kw.pop("description", "村口道路塌陷，车辆无法通行。"),
            area_id=(area or self.w.village_a).pk,
            name=kw.pop("name", "赵六"),
            phone=kw.pop("phone", "13912345678"),
            severity=severity,
            **kw,
        )
        return services.submit(actor=actor, data=data)


def make_case_world(w) -> CaseWorld:
    c = w.users["county"]
    dept = setup.add_department(actor=c, area=w.county, name="住房和城乡建设局", code="housing")
    station = setup.add_department(actor=c, area=w.town_a, name="甲镇司法所", code="justice_station")
    other = setup.add_department(actor=c, area=w.county, name="民政局", code="civil_affairs")
    u = {
        "dept": UserFactory(username="dept_housing_cw", display_name="住建局办事员"),
        "dept_other": UserFactory(username="dept_civil_cw", display_name="民政局办事员"),
        "station": UserFactory(username="station_cw", display_name="司法所"),
        "volunteer": UserFactory(username="volunteer_cw", display_name="调解志愿者"),
        "judge": UserFactory(username="judge_cw", display_name="社区法官"),
        "court": UserFactory(
            username="court_cw", display_name="法院联络员", roles=[("court_liaison", w.county_org)]
        ),
        "hotline": UserFactory(
            username="hotline_cw", display_name="12345话务员", roles=[("hotline_operator", w.county_org)]
        ),
        "handler_a": UserFactory(
            username="handler_a_cw", display_name="一村办事员", roles=[("village_handler", w.branch_a)]
        ),
    }
    setup.add_department_staff(actor=c, department=dept, user=u["dept"])
    setup.add_department_staff(actor=c, department=other, user=u["dept_other"])
    setup.add_department_staff(actor=c, department=station, user=u["station"])
    setup.add_mediator(actor=c, area=w.village_a, user=u["volunteer"], tier="volunteer")
    setup.add_mediator(actor=c, area=w.town_a, user=u["judge"], tier="judge")
    for x in u.values():
        x.refresh_from_db()
    return CaseWorld(w, dept, station, u)


@pytest.fixture
def cw(world):
    return make_case_world(world)
