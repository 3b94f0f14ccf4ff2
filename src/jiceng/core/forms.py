"""Forms only parse input into Python values; the rules are checked by the services."""

from __future__ import annotations

import json
from typing import cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm

from .rulepacks import default_rules


class DateInput(forms.DateInput):
    """<input type="date"> only takes ISO dates: a localised value ("2001/07/01" in zh-hans) is
    dropped by the browser, which then posts the field empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _rule_keys() -> list[tuple[str, str]]:
    return [(k, k) for k in default_rules()]


class RuleOverrideForm(BoundaryForm):
    key = forms.ChoiceField(choices=_rule_keys, widget=forms.HiddenInput)
    # not required here: an empty value gets its own message below, an empty reason the service's
    value = forms.CharField(
        max_length=20_000,
        label=capfirst(_("value")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono", "spellcheck": "false"}),
    )
    valid_from = forms.DateField(label=capfirst(_("valid from")), widget=DateInput())
    reason = forms.CharField(label=capfirst(_("reason")), required=False, max_length=300)
    source = forms.CharField(
        label=capfirst(_("source")),
        required=False,
        max_length=300,
        help_text=_("The document that sets this value, e.g. the county's notice."),
    )

    def clean_value(self):
        text = (self.cleaned_data.get("value") or "").strip()
        if not text:
            raise forms.ValidationError("值：必填，请按JSON格式填写。")
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"值：不是有效的JSON（第{exc.lineno}行第{exc.colno}列附近有误）。字符串要加英文双引号，列表用[]，键值表用{{}}。"
            ) from None


class HolidayForm(BoundaryForm):
    date = forms.DateField(label=capfirst(_("date")), widget=DateInput())
    is_workday = forms.TypedChoiceField(
        label=capfirst(_("is a working day")),
        coerce=lambda v: v == "1",
        choices=[("0", _("Holiday (no work)")), ("1", _("Make-up working day"))],
    )
    name = forms.CharField(label=capfirst(_("name")), required=False, max_length=50)


class WorkflowInsertForm(BoundaryForm):
    """A local stage after one of the definition's stages (say 公示 before a decision takes effect)."""

    after = forms.ChoiceField(label=_("After the stage"))
    label = forms.CharField(label=_("Name of the new stage"), max_length=50)
    wait = forms.IntegerField(
        label=_("Lasts at least (0: no minimum)"), min_value=0, max_value=365, initial=0, required=False
    )
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("workdays", _("working days")), ("minutes", _("minutes"))]
    )
    note = forms.CharField(label=_("Basis or reason"), max_length=300)

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["after"]).choices = list(states)


class WorkflowTimeForm(BoundaryForm):
    """The earliest or latest time an action may be taken, counted from entering its stage."""

    transition = forms.ChoiceField(label=_("Action"))
    kind = forms.ChoiceField(
        label=_("Limit"), choices=[("wait", _("not before")), ("within", _("not after"))]
    )
    amount = forms.IntegerField(label=_("Amount (0 removes it)"), min_value=0, max_value=43_200)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("workdays", _("working days")), ("minutes", _("minutes"))]
    )
    note = forms.CharField(label=_("Basis or reason"), max_length=300)

    def __init__(self, *args, transitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["transition"]).choices = list(transitions)


class WorkflowRemoveForm(BoundaryForm):
    state = forms.ChoiceField(label=_("Stage of your own to remove"))
    note = forms.CharField(label=_("Basis or reason"), max_length=300)

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["state"]).choices = list(states)
