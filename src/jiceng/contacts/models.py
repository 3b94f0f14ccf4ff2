"""Contact duties (联系户, 分包楼栋小区): a member or cadre answers for households, estates or
buildings, in quotas per role (rules.py). The visits are the grids app's visit record, with the
member as ``visitor_person``. Data only; the rules are in services.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area, Org
from jiceng.people.models import Household, Person


class ContactRole(models.TextChoices):
    RURAL_MEMBER = "rural_member", _("rural member")  # 农村党员: 4–5 needy households (001)
    LEADER = "leader", _("committee member or section-level cadre")  # 基层党委班子成员和科级干部 (000-R3)
    COMMUNITY_CADRE = "community_cadre", _("community cadre")  # 社区干部 (000-R3)
    MEMBER = "member", _("ordinary member")  # 普通党员: 1 household (000-R3)


class ContactDuty(models.Model):
    """One household, estate or building a person answers for, from a day (to a day)."""

    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=ContactRole.choices)
    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("estate or building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact duty")
        indexes = [models.Index(fields=["person", "until"]), models.Index(fields=["household"])]

    def __str__(self) -> str:
        return f"{self.person} → {self.household or self.area}"
