"""Forms only parse input into Python values (元 into fen, refusing more than two decimals); the
rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm
from jiceng.core.errors import ErrorCollector
from jiceng.core.forms import DateInput, PhotosField

from .models import AssetKind, ContractKind, Keeper, Relation

LINE_ROWS = 6


def _fen(form: forms.Form, name: str, label: str, *, required: bool = False) -> int | None:
    from .services import parse_yuan

    errors = ErrorCollector()
    fen = parse_yuan(form.cleaned_data.get(name), field=name, label=label, errors=errors, required=required)
    for msg in errors.errors.get(name, []):
        form.add_error(name, msg)
    return fen


class VoucherFilterForm(BoundaryForm):
    month = forms.CharField(
        label=_("Month"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    account = forms.TypedChoiceField(label=_("Account"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("Summary or counterparty"), required=False, max_length=50)

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "—"), *((a.pk, f"{a.code} {a.name}") for a in accounts)]

    def clean_month(self):
        from .public import parse_month

        text = self.cleaned_data.get("month") or ""
        if text and parse_month(text) is None:
            raise forms.ValidationError("月份：格式应为 YYYY-MM。")
        return parse_month(text) if text else None


class VoucherForm(BoundaryForm):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    summary = forms.CharField(label=_("Summary"), max_length=200)
    counterparty = forms.CharField(label=_("Counterparty"), required=False, max_length=100)
    counterparty_uscc = forms.CharField(label=_("Unified social credit code"), required=False, max_length=18)
    matter = forms.TypedChoiceField(
        label=_("Decided matter (large expenses)"), coerce=int, required=False, empty_value=None
    )
    due = forms.TypedChoiceField(label=_("Rent due received"), coerce=int, required=False, empty_value=None)
    photos = PhotosField(label=_("Attachments (photos of receipts, invoices)"))

    def __init__(self, *args, accounts=(), matters=(), dues=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((a.pk, f"{a.code} {a.name}") for a in accounts)]
        for i in range(LINE_ROWS):
            self.fields[f"line{i}_account"] = forms.TypedChoiceField(
                label=_("Account"), coerce=int, required=False, empty_value=None, choices=choices
            )
            self.fields[f"line{i}_debit"] = forms.CharField(
                label=_("Debit (yuan)"), required=False, max_length=20
            )
            self.fields[f"line{i}_credit"] = forms.CharField(
                label=_("Credit (yuan)"), required=False, max_length=20
            )
        self.fields["matter"].choices = [
            ("", "—"),
            *((m.id, f"{m.title}（{m.decided_on:%Y-%m-%d}）") for m in matters),
        ]
        self.fields["due"].choices = [
            ("", "—"),
            *((d.pk, f"{d.contract.counterparty} {d.due_on:%Y-%m-%d} {d.amount / 100:.2f}元") for d in dues),
        ]

    def line_rows(self):
        return [
            (self[f"line{i}_account"], self[f"line{i}_debit"], self[f"line{i}_credit"])
            for i in range(LINE_ROWS)
        ]

    def clean(self):
        data = super().clean()
        lines = []
        for i in range(LINE_ROWS):
            debit = _fen(self, f"line{i}_debit", f"第{i + 1}行借方")
            credit = _fen(self, f"line{i}_credit", f"第{i + 1}行贷方")
            account = data.get(f"line{i}_account")
            if account is None and not debit and not credit:
                continue
            lines.append((account, debit or 0, credit or 0))
        data["lines"] = lines
        return data


class ReverseForm(BoundaryForm):
    date = forms.DateField(label=_("Date of the reversal"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=150)


class KeeperForm(BoundaryForm):
    keeper = forms.ChoiceField(label=_("Books kept by"), choices=Keeper.choices)


class AssetForm(BoundaryForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    quantity = forms.DecimalField(label=_("Quantity or area"), max_digits=14, decimal_places=2, min_value=0)
    unit = forms.CharField(label=_("Unit"), max_length=10)
    value = forms.CharField(label=_("Value (yuan)"), max_length=20)
    acquired_on = forms.DateField(label=_("Acquired on"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        data["value_fen"] = _fen(self, "value", "价值", required=True)
        return data


class ContractForm(BoundaryForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    asset = forms.TypedChoiceField(label=_("Asset or resource"), coerce=int, required=False, empty_value=None)
    counterparty = forms.CharField(label=_("Counterparty"), max_length=100)
    counterparty_uscc = forms.CharField(label=_("Unified social credit code"), required=False, max_length=18)
    starts_on = forms.DateField(label=_("Term starts"), widget=DateInput())
    ends_on = forms.DateField(label=_("Term ends"), widget=DateInput())
    rent = forms.CharField(label=_("Rent per period (yuan)"), max_length=20)
    period_months = forms.TypedChoiceField(
        label=_("Months per period"), coerce=int, choices=[(1, "1"), (3, "3"), (6, "6"), (12, "12")]
    )

    def __init__(self, *args, assets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = [("", "—"), *((a.pk, a.name) for a in assets)]

    def clean(self):
        data = super().clean()
        data["rent_fen"] = _fen(self, "rent", "每期租金", required=True)
        return data


class PersonChoiceForm(BoundaryForm):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int)

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in persons]


class SeatForm(PersonChoiceForm):
    since = forms.DateField(label=_("Since"), widget=DateInput())


class KinshipForm(PersonChoiceForm):
    relative = forms.TypedChoiceField(label=_("Close relative on the committees"), coerce=int)
    relation = forms.ChoiceField(label=_("Relation"), choices=Relation.choices)

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, persons=persons, **kwargs)
        self.fields["relative"].choices = [(p.pk, p.name) for p in persons]


class SignForm(PersonChoiceForm):
    opinion = forms.CharField(label=_("Opinion"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    agrees = forms.BooleanField(label=_("Agrees with the month's accounts"), required=False, initial=True)


class HandoverForm(BoundaryForm):
    post = forms.CharField(label=_("Post handed over"), max_length=50)
    outgoing = forms.TypedChoiceField(label=_("Outgoing"), coerce=int)
    incoming = forms.TypedChoiceField(label=_("Incoming"), coerce=int)
    as_of = forms.DateField(label=_("As of"), widget=DateInput())

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.pk, p.name) for p in persons]
        self.fields["outgoing"].choices = choices
        self.fields["incoming"].choices = choices
