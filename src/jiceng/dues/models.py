"""Party dues (党费): each member's declared base (核定的交纳基数) from a month on, the payments the
branch records and the months each payment covers. Data only; the rules are in services.py and the
arithmetic in calc.py.

Months are stored twice: as the first day of the month (``from_month``, ``month``: what people read)
and as a month number (``year × 12 + month − 1``: ``from_no``, ``until_no``, ``month_no``), so that
"how many months of this declaration fall in the period" is integer arithmetic in SQL on every
database (docs/dues.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Org
from jiceng.people.models import PartyMember


class Group(models.TextChoices):
    """The groups of the rate table (中组发〔2008〕3号 第三条至第五条)."""

    EMPLOYED = "employed", _("employed (after-tax regular pay)")  # 在职：税后工资性收入
    RETIRED = "retired", _("retired (pension)")  # 离退休：离退休费
    FARMER = "farmer", _("farmer")  # 农民党员
    LOW_INCOME = "low_income", _("student, unemployed or on 低保")  # 学生、下岗失业、低保等


class Method(models.TextChoices):
    CASH = "cash", _("cash")  # 现金
    TRANSFER = "transfer", _("transfer")  # 转账（微信、支付宝、银行）


class DuesBase(models.Model):
    """One declaration (核定) of a member's dues: the group, the base (after-tax regular monthly pay
    or pension; blank for farmers and the 0.2-yuan group), the rate the table gives for it and the
    monthly amount, in force from ``from_month`` until the month before the next declaration
    (``until_no``, set when a later declaration replaces it; its base, rate and amount never
    change). The first declaration of a member starts their dues record in the platform."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="dues_bases")
    category = models.CharField(_("group"), max_length=20, choices=Group.choices)  # 党员类别
    base = models.DecimalField(
        _("monthly base (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(_("monthly dues (yuan)"), max_digits=10, decimal_places=2)
    from_month = models.DateField(_("from month"))
    from_no = models.PositiveIntegerField()
    until_no = models.PositiveIntegerField(null=True, blank=True)  # last month in force; blank: open
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dues declaration")
        verbose_name_plural = _("dues declarations")
        indexes = [models.Index(fields=["member", "from_no"], name="dues_base_member_from")]
        constraints = [
            models.UniqueConstraint(fields=["member", "from_no"], name="dues_base_one_per_month"),
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(until_no__isnull=True), name="dues_base_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.from_month:%Y-%m} {self.amount}"


class Payment(models.Model):
    """One payment (one receipt): a member's dues for the months ``from_month``–``to_month``, the
    amount (the sum of those months' dues, no more, no less), how it was paid and when, who
    recorded it, and the collecting organisation (the member's on the day). A mistaken payment is
    voided with a reason (冲销), never edited: its months become unpaid again."""

    receipt_no = models.CharField(_("receipt number"), max_length=20, unique=True, null=True, blank=True)
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="dues_payments")
    org = models.ForeignKey(Org, verbose_name=_("collected by"), on_delete=models.PROTECT, related_name="+")
    from_month = models.DateField(_("from month"))
    to_month = models.DateField(_("to month"))
    months = models.PositiveSmallIntegerField(_("months"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("transfer reference"), max_length=64, blank=True)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        indexes = [
            models.Index(fields=["member", "paid_on"], name="dues_payment_member_day"),
            models.Index(fields=["paid_on"], name="dues_payment_day"),
        ]

    def __str__(self) -> str:
        return self.receipt_no or f"payment {self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("dues_receipt", kwargs={"payment_id": self.pk})


class PaymentMonth(models.Model):
    """One month a payment covers, with that month's dues: a month is paid once (unique), which
    is what makes a double payment impossible whoever records it. Voiding a payment deletes its
    months (the payment row stays, with its months range)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="+")
    base = models.ForeignKey(DuesBase, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    month_no = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "month_no"], name="dues_month_paid_once")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m}"
