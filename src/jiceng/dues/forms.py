"""Forms only parse input into Python values; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.forms import DateInput

from .models import Group, Method


class MonthInput(forms.DateInput):
    """<input type="month">: the browser posts "2026-11"."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


def month_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=["%Y-%m", "%Y-%m-%d"], widget=MonthInput()
    )


class BaseForm(BoundaryForm):
    """A declaration: the group, the base (or a farmer's monthly amount) and the first month."""

    group = forms.ChoiceField(label=_("Group"), choices=Group.choices)
    base = forms.CharField(
        label=_("Monthly base (yuan)"),
        required=False,
        max_length=20,
        help_text=_(
            "After-tax regular monthly pay, or the monthly pension. Left empty for farmers and students."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    amount = forms.CharField(
        label=_("Monthly amount (yuan, farmers)"),
        required=False,
        max_length=20,
        help_text=_("Farmers choose between the table's least and most amount."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    from_month = month_field(_("From month"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class PaymentForm(BoundaryForm):
    """A payment from the phone: the months, the amount, how and when it was paid."""

    from_month = month_field(_("From month"), required=False)
    to_month = month_field(_("To month"), required=False)
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=Method.choices, widget=forms.RadioSelect, initial="cash"
    )
    reference = forms.CharField(
        label=_("Transfer reference"),
        required=False,
        max_length=64,
        help_text=_("For a transfer: the transaction number of WeChat, Alipay or the bank."),
    )
    paid_on = forms.DateField(label=_("Paid on"), required=False, widget=DateInput())


class VoidForm(BoundaryForm):
    reason = forms.CharField(label=_("Reason for voiding"), required=False, max_length=200)
