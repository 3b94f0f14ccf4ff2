"""Residents' requests (诉求) and what handles them: departments, categories, cases, whistles
(吹哨) and report-ins (报到), mediators, the duty roster, the dispute routine, the three lists and
Open311 client systems. Data only; rules in services.py, the case's stages in workflows.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node

from jiceng.core.models import Area


class Level(models.IntegerChoices):
    """Where a case is handled: 小事不出村、大事不出镇 is a statement about the highest level a case
    reached before it was resolved."""

    GRID = 0, _("grid")
    VILLAGE = 1, _("village/community")
    TOWNSHIP = 2, _("township/subdistrict")
    COUNTY = 3, _("county")


# the area kinds that handle a case at each level
LEVEL_KINDS: dict[int, tuple[str, ...]] = {
    Level.GRID: ("grid",),
    Level.VILLAGE: ("village", "community"),
    Level.TOWNSHIP: ("township", "subdistrict"),
    Level.COUNTY: ("county",),
}


class Department(MP_Node):
    """A county's departments (县直部门) and the township stations (乡镇站所) under them, one tree
    per county: a department's figures cover its subtree. ``area``: the county, or the township a
    station serves. Staff are granted through DepartmentStaff, not through party organisations."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, blank=True)  # civil_affairs, police …
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="departments"
    )
    active = models.BooleanField(_("active"), default=True)

    node_order_by = None

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class DepartmentStaff(models.Model):
    """A department's grant: its staff see the cases it was whistled to (its subtree's)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="departments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "user"], name="uniq_department_staff")]

    def __str__(self) -> str:
        return f"{self.department} · {self.user}"


class Kind(models.TextChoices):
    SERVICE = "service", _("service request")  # 服务诉求
    COMPLAINT = "complaint", _("complaint or report")  # 投诉举报
    DISPUTE = "dispute", _("dispute")  # 矛盾纠纷
    ERRAND = "errand", _("errand (agency service)")  # 代办
    WAGE = "wage", _("wage arrears")  # 欠薪
    ENFORCEMENT = "enforcement", _("court enforcement assistance")  # 执行协助


# never listed on any public page or in Open311 search, whatever a county marks
PRIVATE_KINDS = frozenset({Kind.DISPUTE, Kind.WAGE, Kind.ENFORCEMENT})


class Severity(models.TextChoices):
    MINOR = "minor", _("minor")  # 较小
    NORMAL = "normal", _("ordinary")  # 一般
    SERIOUS = "serious", _("serious")  # 较大
    MAJOR = "major", _("major")  # 重大


class Category(models.Model):
    """A case category. The default catalogue has ``county`` empty; a county's own rows (edited
    copies or new ones) have it set and replace a default of the same code there."""

    county = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("county")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    group = models.CharField(_("group"), max_length=30, blank=True)  # how the catalogue groups it
    description = models.CharField(_("description"), max_length=300, blank=True)
    public = models.BooleanField(_("listed publicly"), default=False)  # Open311 search, public page
    # severity -> Level the case starts at (grid/village/township/county)
    routing = models.JSONField(_("starting level by severity"), default=dict)
    respond_hours = models.PositiveSmallIntegerField(_("respond within (hours)"), default=24)
    promise_workdays = models.PositiveSmallIntegerField(_("resolve within (working days)"), default=5)
    documents = models.CharField(_("documents needed"), max_length=300, blank=True)  # errands
    at_most_once = models.BooleanField(_("at most one visit (最多跑一次)"), default=False)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="uniq_category_county_code"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(county__isnull=True), name="uniq_category_default_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    ONLINE = "online", _("online (resident)")
    VISIT = "visit", _("grid visit")
    WINDOW = "window", _("service window")
    PHONE = "phone", _("phone")
    HOTLINE = "hotline_12345", _("12345 hotline")
    LABOUR = "hotline_12333", _("12333 hotline")
    WECHAT = "wechat", _("WeChat group")
    OPEN311 = "open311", _("Open311 client system")
    COURT = "court", _("court push")


class State(models.TextChoices):
    """Mirrors the workflow instance's state, kept on the row so that queues and figures are plain
    SQL (the instance is the authority; services move both together). Labels carry their own
    context: "closed" and "in progress" are other words for a grading plan (已销号, 整改中)."""

    RECEIVED = "received", pgettext_lazy("case state", "awaiting acceptance")
    HANDLING = "handling", pgettext_lazy("case state", "in progress")
    RESOLVED = "resolved", pgettext_lazy("case state", "resolved, awaiting rating")
    CLOSED = "closed", pgettext_lazy("case state", "closed")
    DISMISSED = "dismissed", pgettext_lazy("case state", "not accepted")


OPEN_STATES = (State.RECEIVED, State.HANDLING)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASIC = "basic", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")
    UNRATED = "unrated", _("not rated")  # closed by itself after the configured working days


class Case(models.Model):
    number = models.CharField(_("tracking number"), max_length=16, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)  # the category's, when filed
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    # the place: a village/community or a grid (or below); scoping and area figures go by it
    area = models.ForeignKey(Area, verbose_name=_("place"), on_delete=models.PROTECT, related_name="cases")
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude (WGS-84)"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude (WGS-84)"), max_digits=9, decimal_places=6, null=True, blank=True)
    # the resident: personal data, encrypted; the tail digest checks "last four digits"
    resident_name_ciphertext = models.TextField(blank=True)
    resident_name_masked = models.CharField(_("resident"), max_length=20, blank=True)
    phone_ciphertext = models.TextField(blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    phone_tail_digest = models.CharField(max_length=64, blank=True)
    email_ciphertext = models.TextField(blank=True)
    # where it is handled now and the highest level it reached
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    top_level = models.PositiveSmallIntegerField(choices=Level.choices)
    handling_area = models.ForeignKey(
        Area, verbose_name=_("handled at"), on_delete=models.PROTECT, related_name="handled_cases"
    )
    # 首问负责: who received it owns it until it is handed on (each hand-on is a workflow step)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_cases"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    open311_client = models.ForeignKey(
        "Open311Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    mediator = models.ForeignKey(
        "Mediator", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    legal_adviser = models.ForeignKey(
        "LegalAdviser", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.RECEIVED)
    public = models.BooleanField(_("listed publicly"), default=False)
    reply = models.TextField(_("public reply"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    respond_due_at = models.DateTimeField(_("accept by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_at = models.DateTimeField(_("resolve by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    workdays_to_resolve = models.PositiveIntegerField(null=True, blank=True)  # set when resolved
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    resolved_for_resident = models.BooleanField(_("resident says resolved"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=300, blank=True)
    reopened = models.PositiveSmallIntegerField(default=0)
    # dispute: mediation agreement and 司法确认 (within 30 days, 人民调解法 第三十三条)
    agreement_on = models.DateField(_("mediation agreement on"), null=True, blank=True)
    confirmation_applied_on = models.DateField(_("judicial confirmation applied on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["handling_area", "state"], name="case_queue"),
            models.Index(fields=["received_at"], name="case_received"),
            models.Index(fields=["state", "due_at"], name="case_due"),
            models.Index(fields=["public", "received_at"], name="case_public"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    name = models.CharField(max_length=120)  # under MEDIA_ROOT (core.photos), metadata stripped
    content_type = models.CharField(max_length=30)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    by_resident = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class CaseNote(models.Model):
    """What was said on a case: ``public`` notes are the resident's trail (and Open311's
    status_notes); the rest are internal."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.CharField(max_length=1000)
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class Whistle(models.Model):
    """吹哨: a department (部门报到) or a party member (党员报到) called to a case, who must report
    in within the configured minutes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="whistles")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="whistles"
    )
    member_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="whistles"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    report_due_at = models.DateTimeField()
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report_note = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["department", "reported_at"])]

    def __str__(self) -> str:
        return f"{self.case} → {self.department or self.member_user}"


class MediatorTier(models.TextChoices):
    """1+1+N (000-R3): volunteers for small neighbour quarrels, community mediators for ordinary
    ones, community judges for larger civil disputes."""

    VOLUNTEER = "volunteer", _("mediation volunteer")
    COMMUNITY = "community", _("community mediator")
    JUDGE = "judge", _("community judge")


class Mediator(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediator_posts"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="mediators")  # where they serve
    tier = models.CharField(_("tier"), max_length=12, choices=MediatorTier.choices)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "area", "tier"], name="uniq_mediator")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_tier_display()}"


class LegalAdviser(models.Model):
    """一村（社区）一法律顾问."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="legal_advisers")
    name = models.CharField(_("name"), max_length=50)
    firm = models.CharField(_("law firm"), max_length=100, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    phone_ciphertext = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class DutyShift(models.Model):
    """每天都有专人值班: who is on duty at a service point (a village's or township's service
    centre) on a day."""

    area = models.ForeignKey(
        Area, verbose_name=_("service point"), on_delete=models.PROTECT, related_name="duty_shifts"
    )
    on = models.DateField(_("date"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("on duty"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "on", "user"], name="uniq_duty_shift")]
        ordering = ["on"]

    def __str__(self) -> str:
        return f"{self.area} {self.on} {self.user}"


class WageClaim(models.Model):
    """欠薪 (000-R4): the employer, the project, who is owed how much, and how it is supervised."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="wage")
    employer = models.CharField(_("employer"), max_length=100)
    employer_uscc = models.CharField(_("employer's USCC"), max_length=18, blank=True)
    project = models.CharField(_("project"), max_length=100, blank=True)
    workers = models.PositiveIntegerField(_("workers involved"))
    amount = models.DecimalField(_("amount owed (yuan)"), max_digits=14, decimal_places=2)
    recovered = models.DecimalField(_("amount recovered (yuan)"), max_digits=14, decimal_places=2, default=0)
    supervised = models.BooleanField(_("listed for supervision (挂牌督办)"), default=False)
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    police_referred_on = models.DateField(_("referred to the police on"), null=True, blank=True)
    police_note = models.CharField(_("referral note"), max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.employer} · {self.workers}人"


class EnforcementOutcome(models.TextChoices):
    EXECUTED = "executed", _("executed")  # 执行到位
    PARTLY = "partly", _("partly executed")
    NOT_EXECUTED = "not_executed", _("not executed")
    TERMINATED = "terminated", _("round terminated (终本)")


class EnforcementRequest(models.Model):
    """执行协助 (004-P1/P4): a court pushes a case to the grid; the grid worker reports what was
    found; the court records its outcome."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="enforcement")
    court = models.CharField(_("court"), max_length=100)
    court_case_number = models.CharField(_("court case number"), max_length=60)
    person_located = models.BooleanField(_("person located"), null=True, blank=True)
    assets_found = models.CharField(_("assets found"), max_length=500, blank=True)
    contact_made = models.BooleanField(_("contact made"), null=True, blank=True)
    findings = models.CharField(_("findings"), max_length=1000, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    outcome = models.CharField(
        _("court's outcome"), max_length=20, choices=EnforcementOutcome.choices, blank=True
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    amount_executed = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    def __str__(self) -> str:
        return self.court_case_number


class DisputeRoutine(models.Model):
    """月排查、月例会、月报告 (004-P3): a community's month of dispute work."""

    area = models.ForeignKey(
        Area, verbose_name=_("village/community"), on_delete=models.PROTECT, related_name="dispute_routines"
    )
    month = models.DateField(_("month"))  # the first day
    meeting_on = models.DateField(_("meeting held on"), null=True, blank=True)
    attendees = models.CharField(_("who took part"), max_length=500, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "month"], name="uniq_dispute_routine")]

    def __str__(self) -> str:
        return f"{self.area} {self.month:%Y-%m}"


class ScreeningItem(models.Model):
    routine = models.ForeignKey(DisputeRoutine, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(_("what was found"), max_length=300)
    parties = models.CharField(_("parties"), max_length=100, blank=True)
    risk = models.CharField(_("risk"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved = models.BooleanField(_("resolved"), default=False)

    def __str__(self) -> str:
        return self.description[:40]


class ListItemKind(models.TextChoices):
    NEED = "need", _("need")  # 需求清单
    RESOURCE = "resource", _("resource")  # 资源清单
    PROJECT = "project", _("project")  # 项目清单


class ResourceKind(models.TextChoices):
    PEOPLE = "people", _("people")
    SKILL = "skill", _("skills")
    ROOM = "room", _("rooms")
    MONEY = "money", _("money")
    MATERIAL = "material", _("materials")


class ListItem(models.Model):
    """三张清单 (000-R3): needs, resources offered (by units and members), and projects made from
    them; a project is closed item by item (挂账销号) through its milestones."""

    area = models.ForeignKey(
        Area, verbose_name=_("village/community"), on_delete=models.PROTECT, related_name="list_items"
    )
    kind = models.CharField(_("list"), max_length=10, choices=ListItemKind.choices)
    title = models.CharField(_("title"), max_length=100)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    resource_kind = models.CharField(
        _("resource kind"), max_length=10, choices=ResourceKind.choices, blank=True
    )
    offered_by = models.CharField(_("offered by"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    # a project's needs and resources
    sources = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="projects")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # why it was closed (销号理由): typed for a need or resource, written for a project's needs
    closing_note = models.CharField(_("reason for closing"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(ListItem, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=100)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Open311Client(models.Model):
    """A client system (a 12345 hotline, a city platform) that posts requests through Open311 with
    its own api_key, issued by a county administrator — never a person's token."""

    county = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.HOTLINE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class PendingToken(models.Model):
    """Open311 ``token``: what a POST answers when the request id is not yet known. jiceng creates
    the case at once, so a token always resolves; it lets clients that only store tokens work."""

    token = models.CharField(max_length=40, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token[:8]
