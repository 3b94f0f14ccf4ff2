"""Grids (网格化管理): the units (shops, enterprises, offices) of a grid, who answers for a grid
(入网定责) and the visits grid workers make (走访, 三问三送). Data only; rules in services.py.

A grid is core's ``Area`` of kind grid; its households are people's ``Household`` rows whose area is
the grid (or a building in it); its party group is an ``Org`` of kind group anchored at it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area
from jiceng.people.models import Household, Person


class UnitKind(models.TextChoices):
    SHOP = "shop", _("shop")  # 商铺、个体工商户
    ENTERPRISE = "enterprise", _("enterprise")  # 企业
    OFFICE = "office", _("government office or public institution")  # 机关事业单位
    OTHER = "other", _("other unit")  # 社会组织 …


class Unit(models.Model):
    """A shop, enterprise or office of a grid (004-P7: every unit belongs to a grid). ``uscc``: the
    统一社会信用代码 (GB 32100) where it has one, stored compact and upper case; blank for a
    stall without a licence."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="units")
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="grids_unit_uscc_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("unit_edit", kwargs={"unit_id": self.pk})


class Duty(models.TextChoices):
    GRID_WORKER = "grid_worker", _("grid worker")  # 网格员
    LINK_LEADER = "link_leader", _("link leader")  # 联村（联社区）领导
    WORK_TEAM = "work_team", _("resident work team")  # 驻村工作队
    HELPER_CADRE = "helper_cadre", _("helper cadre")  # 帮扶干部
    MEMBER = "member", _("party member in the grid")  # 党员入网


class GridDuty(models.Model):
    """入网定责: a person (or a log-in) who answers for a grid, in one duty, from a date (to a date).
    ``name`` is how the duty reads (the person's or user's name, or someone outside the records)."""

    grid = models.ForeignKey(
        Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="grid_duties"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_duties",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("log-in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_duties",
    )
    name = models.CharField(_("name"), max_length=50)
    duty = models.CharField(_("duty"), max_length=20, choices=Duty.choices)
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("to"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grid duty")
        verbose_name_plural = _("grid duties")
        indexes = [models.Index(fields=["grid", "duty"], name="grids_duty_grid_duty")]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_duty_display()}"


class VisitKind(models.TextChoices):
    """一接待、二走访、三排查."""

    RECEIVE = "receive", _("reception")  # 接待
    VISIT = "visit", _("home visit")  # 走访
    SCREEN = "screen", _("screening")  # 排查


class Visit(models.Model):
    """One visit (or reception, or screening round) by a grid worker: whom (a household, a unit,
    and/or one person of the grid), what was asked (三问: needs, difficulties, suggestions), what was
    brought (三送: warmth, policy, service), what follows. The record member contact duties
    reuse (``person``)."""

    grid = models.ForeignKey(Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="visits")
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person visited"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    # who made it; kept when the log-in is deleted (SET_NULL), and blank in ``jiceng gen`` rows
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # the party member who made a contact visit (联系户, the contacts app), whoever typed it in
    visitor_person = models.ForeignKey(
        Person,
        verbose_name=_("visiting member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_visits",
    )
    visited_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    asked_needs = models.CharField(_("needs"), max_length=500, blank=True)  # 问需求
    asked_difficulties = models.CharField(_("difficulties"), max_length=500, blank=True)  # 问困难
    asked_suggestions = models.CharField(_("suggestions"), max_length=500, blank=True)  # 问建议
    sent_warmth = models.BooleanField(_("brought warmth"), default=False)  # 送温暖
    sent_policy = models.BooleanField(_("explained policy"), default=False)  # 送政策
    sent_service = models.BooleanField(_("brought a service"), default=False)  # 送服务
    notes = models.CharField(_("notes"), max_length=1000, blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["grid", "visited_on"], name="grids_visit_grid_day"),
            models.Index(fields=["household", "visited_on"], name="grids_visit_household_day"),
            models.Index(fields=["person", "visited_on"], name="grids_visit_person_day"),
            models.Index(fields=["visited_on"], name="grids_visit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.get_kind_display()} · {self.grid.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("visit_detail", kwargs={"visit_id": self.pk})


class VisitPhoto(models.Model):
    """A photo of a visit, as core.photos stored it (stripped of EXIF and GPS): ``name`` is its
    file under MEDIA_ROOT, served only through the scoped photo view."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")

    def __str__(self) -> str:
        return self.name
