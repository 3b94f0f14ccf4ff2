"""Core: the two trees (areas and party organisations), users and role grants, the audit log,
rule-pack overrides, the holiday table and API tokens.

No business rules here: writes go through ``services.py``; these classes only describe data.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class User(AbstractUser):
    """A login. What it may see comes only from its RoleAssignments (scoping in core.scoping)."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    # where notifications reach the user beyond the site itself (core/notify.py); the phone is
    # personal data: encrypted, masked, as a person's
    notify_phone_ciphertext = models.TextField(blank=True)
    notify_phone_masked = models.CharField(_("phone for notifications"), max_length=20, blank=True)
    wechat_openid = models.CharField(_("WeChat openid"), max_length=64, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class AreaKind(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    SUBDISTRICT = "subdistrict", _("subdistrict")
    VILLAGE = "village", _("village")
    COMMUNITY = "community", _("community")
    ESTATE = "estate", _("estate")
    GRID = "grid", _("grid")
    BUILDING = "building", _("building")


# Which kinds may sit under which: county → township/subdistrict → village/community →
# estate/grid → building (an estate may hold grids too: 000-R3 "把支部建在小区").
AREA_CHILD_KINDS: dict[str, set[str]] = {
    AreaKind.PROVINCE: {AreaKind.CITY},
    AreaKind.CITY: {AreaKind.COUNTY},
    AreaKind.COUNTY: {AreaKind.TOWNSHIP, AreaKind.SUBDISTRICT},
    AreaKind.TOWNSHIP: {AreaKind.VILLAGE, AreaKind.COMMUNITY},
    AreaKind.SUBDISTRICT: {AreaKind.VILLAGE, AreaKind.COMMUNITY},
    AreaKind.VILLAGE: {AreaKind.ESTATE, AreaKind.GRID},
    AreaKind.COMMUNITY: {AreaKind.ESTATE, AreaKind.GRID},
    AreaKind.ESTATE: {AreaKind.GRID, AreaKind.BUILDING},
    AreaKind.GRID: {AreaKind.BUILDING},
    AreaKind.BUILDING: set(),
}


class Area(MP_Node):
    """行政区划 and its grassroots subdivisions, one tree. A grid (网格) is an Area of kind grid."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=AreaKind.choices)
    code = models.CharField(_("division code"), max_length=20, blank=True, help_text="GB/T 2260")

    node_order_by = None

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("party committee")  # 党委
    GENERAL_BRANCH = "general_branch", _("general branch")  # 党总支
    BRANCH = "branch", _("branch")  # 党支部
    GROUP = "group", _("party group")  # 党小组


ORG_CHILD_KINDS: dict[str, set[str]] = {
    OrgKind.COMMITTEE: {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH},
    OrgKind.GENERAL_BRANCH: {OrgKind.BRANCH},
    OrgKind.BRANCH: {OrgKind.GROUP},
    OrgKind.GROUP: set(),
}


class Org(MP_Node):
    """党组织: one tree of committees, general branches, branches and groups.

    ``area`` anchors the organisation in the area tree; area-anchored data (households, 两委
    posts, grids) is scoped through it. A grid party group (网格党小组) is an Org of kind group
    whose area is a grid.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="orgs"
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    node_order_by = None

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("county organisation department")
    TOWNSHIP_ADMIN = "township_admin", _("township party committee")
    BRANCH_SECRETARY = "branch_secretary", _("branch secretary")
    GRID_WORKER = "grid_worker", _("grid worker")
    MEMBER = "member", _("party member")


def _role_choices():
    from .kit import role_choices  # every role the installed apps declare

    return role_choices()


class RoleAssignment(models.Model):
    """A role granted on one org node reaches that node's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=30, choices=_role_choices)
    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role", "org"], name="uniq_role_assignment")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"


class AuditEntry(models.Model):
    """Append-only: the database refuses UPDATE and DELETE on this table (triggers in the
    migration), so not even a bug in the application can rewrite history."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, db_index=True)
    target_type = models.CharField(_("record type"), max_length=60)
    target_id = models.CharField(max_length=40, blank=True)
    target_repr = models.CharField(_("record"), max_length=200, blank=True)
    # The org the record belongs to, by tree path: audit reads are scoped like everything else.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["target_type", "target_id"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    @property
    def change_list(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) per change, for templates: ``changes.items`` would look up a
        change of the field "items" (a topic list's) instead of the dict's method."""
        return [
            (field, *(pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)))
            for field, pair in (self.changes or {}).items()
        ]


class RuleOverride(models.Model):
    """A subtree's own value for one rule of the default pack (the apps' kit.Rule declarations).

    The nearest override on the path from an org up to the root wins; ``valid_from`` lets a
    county change a rule from a date on without rewriting the past.
    """

    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("rule"), max_length=100)
    value = models.JSONField(_("value"))
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rule override")
        verbose_name_plural = _("rule overrides")
        constraints = [
            models.UniqueConstraint(fields=["org", "key", "valid_from"], name="uniq_rule_override")
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.key} · {self.valid_from}"


class HolidayOverride(models.Model):
    """The State Council's holiday notice for a year the calendar library does not know yet:
    a date that is a holiday, or a weekend day that is a make-up working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday table")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ApiToken(models.Model):
    """Personal access token for API clients. Only a digest is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IndicatorSnapshot(models.Model):
    """One indicator's value for one org subtree and period, stored by the rollup worker
    (core/rollups.py) so that large subtrees' dashboards read it instead of recomputing."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    period = models.CharField(max_length=40)
    as_of = models.DateField()
    value = models.JSONField()
    computed_at = models.DateTimeField()
    took_ms = models.PositiveIntegerField(default=0)
    # combined from the child committees' stored values plus its own rows (core/rollups.py)
    combined = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "name", "period"], name="uniq_indicator_snapshot")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} · {self.name} · {self.period}"


class RollupDirty(models.Model):
    """A write under ``org_path`` that the rollup worker has not yet taken into account. Inserted
    in the writing transaction (by core.audit.record), so it is visible exactly when the write is;
    the worker deletes the rows it takes before recomputing."""

    org_path = models.CharField(max_length=255, db_index=True)

    def __str__(self) -> str:
        return self.org_path


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("done")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """Long work (an import, a large export, a rollup refresh) run by the job worker (core/jobs.py):
    who asked, for which subtree, how far it is, what came of it. The row is written outside the
    work's own transaction, so its progress is visible while the work runs and a job killed half-way
    shows as failed with nothing of its work kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    org = models.ForeignKey(
        Org,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)
    result = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=200, blank=True)  # the result file, under var/jobs/<id>/
    personal = models.BooleanField(default=False)  # the result holds personal data: it expires
    expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)  # host:pid of the process running it
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return min(99, round(self.done * 100 / self.total)) if self.total else 0


class WorkflowDefinition(models.Model):
    """One version of a workflow's definition (core/workflows.py): the template an app ships
    (``org`` empty) or a subtree's local variant. Never changed once written: a change is a new
    version, and a running instance keeps the version it started with."""

    key = models.CharField(max_length=80)
    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    spec = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "org", "version"], name="uniq_workflow_version"),
            models.UniqueConstraint(
                fields=["key", "version"],
                condition=models.Q(org__isnull=True),
                name="uniq_workflow_template_version",
            ),
        ]
        ordering = ["key", "-version"]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class WorkflowInstance(models.Model):
    """One matter moving through a workflow: its state and since when, where it sits (``org``:
    scoping and rules) and who decides it (``authority``: permission guards, default ``org``)."""

    definition = models.ForeignKey(WorkflowDefinition, on_delete=models.PROTECT, related_name="instances")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    state = models.CharField(max_length=60)
    state_since = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)  # the state's time limit, when it has one
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["state", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.definition.key} {self.target_type}#{self.target_id} · {self.state}"


class WorkflowStep(models.Model):
    """A transition taken: the history of a matter, who moved it when, from which state to which."""

    instance = models.ForeignKey(WorkflowInstance, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=60)
    from_state = models.CharField(max_length=60)
    to_state = models.CharField(max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)
    exception_reason = models.CharField(max_length=300, blank=True)  # a time guard waived, and why

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class Channel(models.TextChoices):
    INBOX = "inbox", _("in the site")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat template message")
    EMAIL = "email", _("e-mail")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    HELD = "held", _("held (no sender configured)")
    FAILED = "failed", _("failed")


class Notification(models.Model):
    """The outbox (core/notify.py): a message written in the same transaction as the event it tells
    of, then delivered by its channel's sender — into the recipient's inbox at once, by SMS, WeChat
    or e-mail by the worker. ``org``: the subtree it concerns (who may read the outbox)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # a recipient without an account (a resident who filed a request): the address itself,
    # encrypted as personal data; the outbox shows it masked
    to_ciphertext = models.TextField(blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(max_length=300, blank=True)
    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    address_masked = models.CharField(max_length=80, blank=True)  # where it went, as the outbox shows it
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"]),
            models.Index(fields=["status", "channel"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"


class SecurityEvent(models.Model):
    """Failed log-ins, lock-outs, unlocks, password changes and refused look-ups (an object out of
    scope or missing): the security log county administrators read (网络安全法 第二十一条: kept at
    least six months; ``jiceng worker`` purges after JICENG_SECURITY_LOG_DAYS, default 400)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed log-in")
        LOCKED_OUT = "locked_out", _("locked out")
        UNLOCKED = "unlocked", _("unlocked")
        PASSWORD_CHANGED = "password_changed", _("changed the password")
        DENIED = "denied", _("refused: out of scope or missing")
        SECOND_FACTOR = "2fa", _("second factor passed")
        SECOND_FACTOR_FAILED = "2fa_failed", _("wrong second-factor code")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices, db_index=True)
    username = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)
    # the user's place in the org tree (their first grant): the log is scoped like the audit log;
    # an unknown user name has none and is read at the root
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
