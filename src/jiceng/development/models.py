"""Member development (发展党员): one record per person going through the pipeline, the dated
steps of the 25 (steps.py), the 培养联系人 and 入党介绍人, and the annual development plans. Data
only; the rules are in services.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Org
from jiceng.people.models import PartyMember, Person


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("applicant")  # 入党申请人
    ACTIVIST = "activist", _("activist")  # 入党积极分子
    CANDIDATE = "candidate", _("development candidate")  # 发展对象
    PROBATIONARY = "probationary", _("probationary member")  # 预备党员
    FULL = "full", _("full member")  # 正式党员
    ENDED = "ended", _("ended")  # 终止 (withdrew, not admitted, probation cancelled)


class Applicant(models.Model):
    """A person in the development pipeline, developed by a branch (for a migrant worker: the
    branch of the home village, which admits; the host organisation records its part). The stage
    dates are kept here as well as in the steps: the board and the figures read them in one query."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLICANT)
    migrant_worker = models.BooleanField(_("migrant worker"), default=False)  # 农民工 (003)
    host_org = models.ForeignKey(
        Org,
        verbose_name=_("host organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    host_outside = models.CharField(_("host organisation outside the system"), max_length=200, blank=True)
    applied_on = models.DateField(_("applied on"))
    activist_on = models.DateField(_("activist since"), null=True, blank=True)
    candidate_on = models.DateField(_("candidate since"), null=True, blank=True)
    admitted_on = models.DateField(_("branch assembly admitted on"), null=True, blank=True)  # = joined_on
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    # age on the 入党日期, set at the approval: the young-member share is a plain comparison
    admitted_age = models.PositiveSmallIntegerField(_("age when admitted"), null=True, blank=True)
    probation_ends_on = models.DateField(_("probation ends on"), null=True, blank=True)
    full_on = models.DateField(_("full member since"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    member = models.OneToOneField(
        PartyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="development"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("development record")
        indexes = [models.Index(fields=["org", "stage"]), models.Index(fields=["approved_on"])]

    def __str__(self) -> str:
        return self.person.name


class Step(models.Model):
    """One of the 25 steps as it was done: when, who did it, the document, the step's own data
    (the votes, the training's days); an exception to a time rule keeps its reason."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(_("step"), max_length=40)
    done_on = models.DateField(_("date"))
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")  # who recorded it
    people = models.CharField(_("who"), max_length=100, blank=True)  # the talker, the reviewer …
    document = models.CharField(_("document"), max_length=100, blank=True)  # number or title
    note = models.CharField(_("note"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    exception_reason = models.CharField(_("reason for the exception"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "pk"]
        indexes = [models.Index(fields=["applicant", "code"])]

    def __str__(self) -> str:
        return f"{self.applicant} {self.code} {self.done_on}"


class StepPhoto(models.Model):
    """A photographed document of a step (the application, the 志愿书 page): location data removed
    (core.photos), served only through a scoped view."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="photos")
    name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.name


class LinkRole(models.TextChoices):
    GUIDE = "guide", _("guiding member")  # 培养联系人
    INTRODUCER = "introducer", _("introducer")  # 入党介绍人


class Link(models.Model):
    """A member who guides an activist (培养联系人) or introduces a candidate (入党介绍人)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="links")
    role = models.CharField(_("role"), max_length=20, choices=LinkRole.choices)
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("since"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["applicant", "role", "member"], name="uniq_development_link")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member_id}"


class Plan(models.Model):
    """A township's or the county's development plan for a year (000-R3: 计划发展党员x名、积极分子x名)."""

    org = models.ForeignKey(Org, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    members = models.PositiveIntegerField(_("members to develop"))
    activists = models.PositiveIntegerField(_("activists to train"))
    migrant_members = models.PositiveIntegerField(_("of them migrant workers"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="uniq_development_plan")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"
