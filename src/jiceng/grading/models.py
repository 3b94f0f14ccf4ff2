"""Annual grading of party organisations (ABC / 好-较好-一般-软弱涣散 / 五星), the bottom quota of
lagging organisations and their rectification plans (一支一策, 挂账销号). Data only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Org, WorkflowInstance


class GradingRound(models.Model):
    """One year's grading by one committee. The scheme, levels and quota share are copied from the
    rule pack when the round is opened, so a later rule change does not rewrite past results."""

    org = models.ForeignKey(Org, verbose_name=_("graded by"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    scheme = models.CharField(_("scheme"), max_length=20)
    levels = models.JSONField()
    bottom_share = models.FloatField()
    # units left out because no criterion had anything to count: [{"org_id", "name", "reason"}]
    not_gradable = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # 重新开放: the grades confirmed before this moment no longer lock the year's records and
    # await re-confirmation (grading/queries.py: locking_grades)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.CharField(_("reason for reopening"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("grading round")
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="uniq_grading_round")]
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"

    def level_label(self, key: str) -> str:
        return next((lv["label"] for lv in self.levels if lv["key"] == key), key)


class Grade(models.Model):
    round = models.ForeignKey(GradingRound, on_delete=models.CASCADE, related_name="grades")
    org = models.ForeignKey(
        Org, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="grades"
    )
    score = models.FloatField(_("score"))
    factors = models.JSONField(_("indicators"), default=dict)
    proposed = models.CharField(_("proposed grade"), max_length=20)
    final = models.CharField(_("confirmed grade"), max_length=20, blank=True)
    lagging_proposed = models.BooleanField(_("proposed as lagging"), default=False)
    lagging = models.BooleanField(_("lagging"), default=False)
    reason = models.CharField(_("reason for override"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # where the grade stands in the grading workflow (core.workflows, grading.grade)
    workflow = models.OneToOneField(
        WorkflowInstance, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("grade")
        constraints = [models.UniqueConstraint(fields=["round", "org"], name="uniq_grade")]
        ordering = ["score", "org__path"]

    def __str__(self) -> str:
        return f"{self.org} {self.final or self.proposed}"


class PlanStatus(models.TextChoices):
    OPEN = "open", _("in progress")
    CLOSED = "closed", _("closed (挂账销号)")


class RectificationPlan(models.Model):
    """一支一策: one plan per lagging organisation, closed only when every measure is done."""

    grade = models.OneToOneField(Grade, on_delete=models.PROTECT, related_name="plan")
    problems = models.TextField(_("problems found"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    closure_note = models.TextField(_("closure note"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rectification plan")

    def __str__(self) -> str:
        return f"{self.grade.org} {self.get_status_display()}"


class RectificationMeasure(models.Model):
    plan = models.ForeignKey(RectificationPlan, on_delete=models.CASCADE, related_name="measures")
    description = models.CharField(_("measure"), max_length=300)
    owner = models.CharField(_("owner"), max_length=100)
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.description
