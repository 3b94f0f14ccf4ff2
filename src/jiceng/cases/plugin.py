"""What the cases app brings: residents' requests (诉求) from every channel, their routing by level
(小事不出村、大事不出镇), 吹哨报到, disputes (1+1+N), errands (代办), wage arrears, court
enforcement assistance, the monthly dispute routine, the three lists and Open311."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit

from .rules import RULES

VIEW_CASE = "view_case"  # see the cases placed in one's area subtree
ENTER_CASE = "enter_case"  # enter a case on a resident's behalf (window, phone, visit, 12345)
HANDLE_CASE = "handle_case"  # accept, work, escalate, resolve cases handled at one's level
WHISTLE = "whistle"  # 吹哨: call departments or members to a case
MANAGE_CASES = "manage_cases"  # categories, departments, mediators, Open311 clients
MANAGE_DUTY = "manage_duty"  # the duty roster, the dispute routine, the three lists
MEDIATE = "mediate"  # work the disputes routed to oneself
PUSH_ENFORCEMENT = "push_enforcement"  # a court pushes enforcement cases and records outcomes
DEPARTMENT_WORK = "department_work"  # report in and work the cases one's department was whistled to

STAFF = ("county_admin", "township_admin", "branch_secretary", "grid_worker", "village_handler")

# the demo step's log-ins (demo.py makes them; `make run`'s banner lists them)
CASE_LOGINS = [
    ("housing", "住房和城乡建设局办事员（部门报到）"),
    ("civil", "民政局办事员（部门报到）"),
    ("hrss", "人力资源和社会保障局办事员（部门报到）"),
    ("justice_station", "第一个乡镇司法所（站所报到）"),
    ("police_station", "第一个乡镇派出所（站所报到）"),
    ("mediator", "社区调解员（书记所在村）"),
    ("judge", "社区法官（第一个乡镇）"),
    ("court", "县人民法院执行联络员"),
    ("hotline", "12345热线话务员"),
    ("handler", "村便民服务站办事员（书记所在村）"),
    ("errand", "代办员（书记所在村）"),
]


PLUGIN = kit.AppPlugin(
    label="cases",
    roles=(
        kit.RoleDef("village_handler", _("village/community service staff"), order=40),
        kit.RoleDef("errand_agent", _("errand agent (代办员)"), order=41),
        kit.RoleDef("hotline_operator", _("hotline operator"), order=42),
        kit.RoleDef("mediator", _("mediator"), order=43),
        kit.RoleDef("court_liaison", _("court liaison"), order=44),
        kit.RoleDef("department_handler", _("department handler"), order=45),
    ),
    permissions=(
        kit.Permission(
            VIEW_CASE, _("see residents' requests"), roles=(*STAFF, "errand_agent", "hotline_operator")
        ),
        kit.Permission(
            ENTER_CASE, _("enter residents' requests"), roles=(*STAFF, "errand_agent", "hotline_operator")
        ),
        kit.Permission(HANDLE_CASE, _("handle residents' requests"), roles=(*STAFF, "errand_agent")),
        kit.Permission(
            WHISTLE,
            _("blow the whistle (call departments and members)"),
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
        kit.Permission(
            MANAGE_CASES, _("manage case categories, departments and client systems"), roles=("county_admin",)
        ),
        kit.Permission(
            MANAGE_DUTY,
            _("keep the duty roster, dispute routine and three lists"),
            roles=("county_admin", "township_admin", "branch_secretary", "village_handler"),
        ),
        kit.Permission(
            MEDIATE, _("mediate the disputes routed to oneself"), roles=("mediator", "county_admin")
        ),
        kit.Permission(
            PUSH_ENFORCEMENT, _("push court enforcement cases"), roles=("court_liaison", "county_admin")
        ),
        kit.Permission(
            DEPARTMENT_WORK,
            _("work the cases one's department was whistled to"),
            roles=("department_handler", "county_admin"),
        ),
    ),
    rules=RULES,
    audit_actions={
        "case_submit": _("submitted a request"),
        "case_step": _("handled a request"),
        "case_rate": _("rated a request"),
        "case_lookup": _("looked up a request"),
        "client_issue": _("issued an Open311 key"),
        "client_revoke": _("revoked an Open311 key"),
        # setup and routine (setup.py, routine.py)
        "staff_remove": _("removed department staff"),
        "duty_add": _("put someone on duty"),
        "duty_remove": _("took someone off duty"),
        "routine_meeting": _("recorded the monthly dispute meeting"),
        "screening_add": _("recorded a screening finding"),
        "screening_update": _("updated a screening finding"),
        "screening_remove": _("removed a screening finding"),
        "list_add": _("added to the three lists"),
        "milestone_add": _("added a project milestone"),
        "milestone_done": _("marked a milestone done"),
        "list_close": _("closed a list item (挂账销号)"),
    },
    audit_fields={
        "level": _("level"),
        "handling_area": _("handled at"),
        "owner": _("owner"),
        "reply": _("reply"),
        "rating": _("rating"),
        "whistled": _("whistled"),
        "reported_in": _("reported in"),
        "mediator": _("mediator"),
        # setup and routine
        "copy_of": _("county copy of the default"),
        "mediator_active": _("mediator serving"),
        "adviser_active": _("legal adviser serving"),
        "staff": _("department staff"),
        "on_duty": _("on duty"),
        "duty_date": _("duty date"),
        "service_point": _("service point"),
        "routine_month": _("month"),
        "attendees": _("who took part"),
        "closure_reason": _("reason for closing"),
        "sources": _("made from"),
        "milestone": _("milestone"),
        "milestones": _("milestones"),
        "case_number": _("request number"),
    },
    headlines=(
        kit.Headline("cases.received", order=60, compare=True),
        kit.Headline("cases.closure_rate", order=61, compare=True),
        kit.Headline("cases.on_time_rate", order=62, compare=True),
        kit.Headline("cases.in_village_rate", order=63, compare=True),
        kit.Headline("cases.satisfaction_rate", order=64, compare=True),
    ),
    nav=(
        kit.NavItem(_("Requests"), "cases_queue", VIEW_CASE, order=70),
        kit.NavItem(
            _("Requests"), "cases_department", DEPARTMENT_WORK, order=70, roles=("department_handler",)
        ),
        kit.NavItem(_("Disputes"), "cases_mediator", MEDIATE, order=71, roles=("mediator",)),
        kit.NavItem(_("Enforcement"), "cases_court", PUSH_ENFORCEMENT, order=72, roles=("court_liaison",)),
        # the duty roster, the dispute routine, the three lists; and for the county, its setup
        kit.NavItem(
            _("Routine and setup"),
            "cases_setup",
            MANAGE_DUTY,
            order=73,
            roles=("county_admin", "township_admin", "branch_secretary", "village_handler"),
        ),
    ),
    home=(
        kit.HomeSection(
            "cases",
            (*STAFF, "errand_agent"),
            "jiceng.cases.home.handler",
            "cases/home_handler.html",
            order=15,
        ),
        kit.HomeSection(
            "cases_department",
            ("department_handler",),
            "jiceng.cases.home.department",
            "cases/home_department.html",
            order=15,
        ),
        kit.HomeSection(
            "cases_court", ("court_liaison",), "jiceng.cases.home.court", "cases/home_court.html", order=15
        ),
        kit.HomeSection(
            "cases_mediator",
            ("mediator",),
            "jiceng.cases.home.mediator",
            "cases/home_mediator.html",
            order=15,
        ),
    ),
    urls=(
        kit.Urls("cases/", "jiceng.cases.urls"),
        kit.Urls("cases/setup/", "jiceng.cases.urls_setup"),
        kit.Urls("open311/v2/", "jiceng.cases.open311"),
    ),
    public=(kit.Urls("", "jiceng.cases.public"),),
    api="jiceng.cases.api.router",
    indicators="jiceng.cases.indicators",
    ledgers="jiceng.cases.ledgers",
    workflows="jiceng.cases.workflows",
    periodic=("jiceng.cases.jobs.auto_close",),
    demo_logins=tuple(CASE_LOGINS),
    demo=(kit.Step("jiceng.cases.demo.build", order=50),),
    gen=(kit.Step("jiceng.cases.gen.build", order=50),),
    authz="jiceng.cases.authz",
)
