"""Disclosure (四务公开): the items a village or community publishes on its public page, in four
affairs (党务、村务、财务、服务). Data only; the rules are in services.py and rules.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area, Org

TITLE_MAX = 200
BODY_MAX = 20000
SOURCE_MAX = 100
LINK_MAX = 300
REASON_MAX = 500
NAME_MAX = 50
NAMES_MAX = 500


class Affair(models.TextChoices):
    PARTY = "party", _("party affairs")  # 党务公开
    VILLAGE = "village", _("village affairs")  # 村务（居务）公开
    FINANCE = "finance", _("finances")  # 财务公开
    SERVICE = "service", _("service affairs")  # 服务（事务）公开


class Item(models.Model):
    """One disclosure item (公开事项) of a village or community. Never edited: a correction is a
    new item; a withdrawn item stays in the register and leaves the public page."""

    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+")
    # the village or community (org.area), denormalised: due dates and the public page go by it
    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    affair = models.CharField(_("affair"), max_length=10, choices=Affair.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("content"), max_length=BODY_MAX, blank=True)
    published_on = models.DateField(_("published on"))
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    major = models.BooleanField(_("major matter"), default=False)
    source = models.CharField(_("source"), max_length=SOURCE_MAX, blank=True)
    link = models.CharField(_("link"), max_length=LINK_MAX, blank=True)
    # the names a disclosure must name (低保 recipients, subsidy or contract holders): shown on the
    # public page only until display_until
    names = models.JSONField(_("names"), default=list, blank=True)
    display_until = models.DateField(_("names shown until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=REASON_MAX, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure item")
        verbose_name_plural = _("disclosure items")
        indexes = [
            models.Index(fields=["village", "affair", "published_on"]),
            models.Index(fields=["source"]),
        ]

    def __str__(self) -> str:
        return self.title
