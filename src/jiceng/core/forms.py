"""Forms only parse input into Python values; the rules are checked by the services."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms.utils import ErrorDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from jiceng.core.boundary import BoundaryForm

from . import kit
from .rulepacks import default_rules, number_text, percent_text


class DateInput(forms.DateInput):
    """<input type="date"> only takes ISO dates: a localised value ("2001/07/01" in zh-hans) is
    dropped by the browser, which then posts the field empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _rule_keys() -> list[tuple[str, str]]:
    return [(k, k) for k in default_rules()]


# --- the override form: the value's inputs follow the rule's declared shape (kit.Shape) -----------

BLANK_ROWS = 2  # blank rows under a table's rows: room to add some without JavaScript
MORE_ROWS = 3  # rows the "more rows" button adds
MAX_ROWS = 60
_INT = re.compile(r"[+-]?\d{1,12}", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d{1,12}(?:\.\d{0,6})?|\.\d{1,6})", re.ASCII)
_CODE = re.compile(r"[A-Za-z0-9_]{1,40}", re.ASCII)
_ROW = re.compile(r"r(\d{1,4})-", re.ASCII)
_FAILED = object()  # a cell Django's own field refused (its message is already on it)


class _Bad(Exception):
    pass


def _unit(f: kit.RuleField) -> str:
    unit = "%" if f.type == "percent" else f.unit
    return f"{f.label}（{unit}）" if unit and f.label else f.label or unit


def _input(f: kit.RuleField, label: str, *, in_row: bool) -> forms.Field:
    """The input of one field: its label names the row ("第2行 年龄上限"), so the boundary's and
    Django's own messages do too."""
    attrs: dict[str, Any] = {"aria-label": label}
    if f.optional:
        attrs["placeholder"] = f.blank or "可不填"
    refused = {"invalid_choice": f"{label}：不是可选的项。", "invalid_list": f"{label}：不是可选的项。"}

    def too_long(n: int) -> dict[str, str]:
        return {"max_length": f"{label}：最多{n}个字符，请删减后再提交，系统不会截断。"}

    if f.type == "bool":
        return forms.BooleanField(label=label, required=False)
    if f.type == "choice":
        choices = [(str(c), lbl) for c, lbl in f.choices]
        if in_row or f.optional:
            choices.insert(0, ("", "—"))
        return forms.ChoiceField(
            label=label,
            choices=choices,
            required=False,
            widget=forms.Select(attrs={"aria-label": label}),
            error_messages=refused,
        )
    if f.type == "choices":
        return forms.MultipleChoiceField(
            label=label,
            choices=[(str(c), lbl) for c, lbl in f.choices],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages=refused,
        )
    if f.type == "date":
        return forms.CharField(
            label=label, required=False, max_length=10, widget=DateInput(attrs), error_messages=too_long(10)
        )
    if f.type in ("int", "number", "percent"):
        attrs.update(inputmode="numeric" if f.type == "int" else "decimal", size=6)
        return forms.CharField(
            label=label,
            required=False,
            max_length=20,
            widget=forms.TextInput(attrs),
            error_messages=too_long(20),
        )
    if f.type == "code":  # an internal identifier: kept with its row, made up for a new one
        return forms.CharField(
            label=label, required=False, max_length=40, widget=forms.HiddenInput, error_messages=too_long(40)
        )
    return forms.CharField(
        label=label,
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs),
        error_messages=too_long(100),
    )


def _initial(f: kit.RuleField, value: Any) -> Any:
    """A stored value as its input shows it (0.1 of a percent field: "10")."""
    if value is None:
        return False if f.type == "bool" else ""
    try:
        if f.type == "percent":
            return percent_text(value)
        if f.type in ("int", "number"):
            return number_text(value)
    except TypeError:
        return str(value)
    if f.type == "choices":
        return [str(c) for c in value] if isinstance(value, list) else []
    if f.type == "bool":
        return bool(value)
    return str(value)


def _parse(f: kit.RuleField, raw: Any, label: str) -> Any:
    """One input as the value the rule stores; None when left blank. Raises _Bad with the message."""
    if f.type == "bool":
        return bool(raw)
    if f.type == "choices":
        picked = set(raw or ())
        return [c for c, _lbl in f.choices if str(c) in picked]
    if f.type == "choice":
        return next((c for c, _lbl in f.choices if str(c) == raw), None) if raw else None
    text = (raw or "").strip()
    if f.type in ("int", "number", "percent"):
        text = unicodedata.normalize("NFKC", text).replace(" ", "")  # full-width digits are digits
    if not text:
        return None
    if f.type == "int":
        if not _INT.fullmatch(text):
            raise _Bad(f"{label}：必须是整数。")
        return int(text)
    if f.type in ("number", "percent"):
        if not _NUMBER.fullmatch(text):
            raise _Bad(f"{label}：必须是数字（可带小数）。")
        d = Decimal(text)
        if f.type == "percent":
            if not 0 <= d <= 100:
                raise _Bad(f"{label}：百分比必须在0到100之间。")
            return float(d / 100)
        return int(d) if d == d.to_integral_value() else float(d)
    if f.type == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise _Bad(f"{label}：必须是日期（年-月-日，如 2026-01-01）。") from None
    if f.type == "code" and not _CODE.fullmatch(text):
        raise _Bad(f"{label}：只能由英文字母、数字和下划线组成（最多40个）。")
    return text


def _blank(raw: Any) -> bool:
    return raw is None or raw is False or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())


def _rows_of(shape: kit.Shape, value: Any) -> list[dict[str, Any]]:
    """A stored table as its rows (a keyed or grouped dict flattened); [] for one that does not fit."""
    try:
        if shape.keyed_by:
            return [{shape.keyed_by: k, **row} for k, row in value.items()]
        if shape.grouped_by:
            return [{shape.grouped_by: g, **row} for g, rows in value.items() for row in rows]
        return [dict(row) for row in value]
    except (TypeError, ValueError, AttributeError):
        return []


class RuleOverrideForm(BoundaryForm):
    """An override of one rule (``rule``, else the one ``key`` names). The value is entered in inputs
    that fit the rule's declared shape — one input, a record's inputs, or a table of rows (blank and
    removed rows ignored) — and turned into the JSON value the rule stores; a rule without a shape
    takes that JSON as text. Whether the value is right is the rule's validator's to say (the
    service runs it); the form only says which input could not be read, naming row and field."""

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

    def __init__(
        self,
        *args: Any,
        rule: kit.Rule | None = None,
        current: Any = None,
        more_rows: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if rule is None:
            key = self.data.get("key") if self.is_bound else self.initial.get("key")
            rule = default_rules().get(key) if isinstance(key, str) else None
        self.rule = rule
        self.shape = rule.shape if rule is not None else None
        self.more_rows = more_rows and self.is_bound  # only add blank rows: nothing is checked or saved
        self.row_count = 0
        if self.shape is None:
            if current is not None:
                self.initial.setdefault("value", json.dumps(current, ensure_ascii=False, indent=2))
            return
        meta = {n: self.fields[n] for n in ("valid_from", "reason", "source")}
        self.fields = {"key": self.fields["key"], **self._value_inputs(current), **meta}

    def _value_inputs(self, current: Any) -> dict[str, forms.Field]:
        shape = cast(kit.Shape, self.shape)
        out: dict[str, forms.Field] = {}
        if shape.kind == "scalar":
            f = shape.fields[0]
            out["value"] = _input(f, cast(kit.Rule, self.rule).label, in_row=False)
            out["value"].label = _unit(kit.RuleField("", str(capfirst(_("value"))), f.type, f.unit))
            self.initial.setdefault("value", _initial(f, current))
        elif shape.kind == "record":
            for f in shape.fields:
                out[f"v-{f.key}"] = _input(f, f.label, in_row=False)
                out[f"v-{f.key}"].label = _unit(f)
                stored = current.get(f.key) if isinstance(current, dict) else None
                self.initial.setdefault(f"v-{f.key}", _initial(f, stored))
        else:
            rows = _rows_of(shape, current)
            if self.is_bound:
                seen = [int(m.group(1)) for name in self.data for m in [_ROW.match(name)] if m]
                count = max(seen, default=0) + (MORE_ROWS if self.more_rows else 0)
            else:
                count = len(rows) + BLANK_ROWS
            self.row_count = min(count, MAX_ROWS)
            for i in range(1, self.row_count + 1):
                row = rows[i - 1] if i <= len(rows) else {}
                for f in shape.fields:
                    out[f"r{i}-{f.key}"] = _input(f, f"第{i}行 {f.label}", in_row=True)
                    self.initial.setdefault(f"r{i}-{f.key}", _initial(f, row.get(f.key)))
                out[f"r{i}-DELETE"] = forms.BooleanField(label=f"第{i}行 删除", required=False)
        return out

    def full_clean(self) -> None:
        if self.more_rows:  # the same form again with blank rows added; no message yet
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def clean_value(self):
        raw = self.cleaned_data.get("value")
        if self.shape is not None:
            return raw  # read with the others in clean()
        text = (raw or "").strip()
        if not text:
            raise forms.ValidationError("值：必填，请按JSON格式填写。")
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"值：不是有效的JSON（第{exc.lineno}行第{exc.colno}列附近有误）。字符串要加英文双引号，列表用[]，键值表用{{}}。"
            ) from None

    def clean(self):
        cleaned = cast(dict[str, Any], super().clean())
        if self.shape is None:
            return cleaned
        problems: list[tuple[str, str]] = []
        value = self._read(problems)
        for name, message in problems:
            self.add_error(name, message)
        if not problems and not any(n in self._errors for n in self._value_names()):
            cleaned["value"] = value
        return cleaned

    def _value_names(self) -> list[str]:
        return [n for n in self.fields if n not in ("key", "valid_from", "reason", "source")]

    def _read(self, problems: list[tuple[str, str]]) -> Any:
        shape = cast(kit.Shape, self.shape)
        got = self.cleaned_data

        def one(name: str, f: kit.RuleField, label: str) -> Any:
            raw = got.get(name, _FAILED)
            if raw is _FAILED:
                return _FAILED
            try:
                v = _parse(f, raw, label)
            except _Bad as exc:
                problems.append((name, str(exc)))
                return _FAILED
            if v is None and not f.optional and f.type != "code":
                problems.append((name, f"{label}：必填。"))
                return _FAILED
            return v

        if shape.kind == "scalar":
            return one("value", shape.fields[0], cast(kit.Rule, self.rule).label)
        if shape.kind == "record":
            return {f.key: one(f"v-{f.key}", f, f.label) for f in shape.fields}
        read: list[tuple[int, dict[str, Any]]] = []
        for i in range(1, self.row_count + 1):
            names = {f.key: f"r{i}-{f.key}" for f in shape.fields}
            shown = [names[f.key] for f in shape.fields if f.type != "code"]
            if got.get(f"r{i}-DELETE") or all(_blank(got.get(n)) for n in shown):
                continue  # a row emptied of what it shows is removed too
            read.append((i, {f.key: one(names[f.key], f, f"第{i}行 {f.label}") for f in shape.fields}))
        self._unique_codes(shape, read, problems)
        by = shape.keyed_by or shape.grouped_by
        if shape.keyed_by:
            first: dict[tuple[Any, type], int] = {}
            label = next(f.label for f in shape.fields if f.key == by)
            for i, row in read:
                k = row[by]
                if k is not _FAILED and (k, type(k)) in first:
                    j = first[(k, type(k))]
                    problems.append((f"r{i}-{by}", f"第{i}行 {label}：与第{j}行重复，每一项只填一行。"))
                first.setdefault((k, type(k)), i)
            return {row[by]: {k: v for k, v in row.items() if k != by} for _i, row in read}
        if shape.grouped_by:
            groups: dict[Any, list[dict[str, Any]]] = {}
            for _i, row in read:
                groups.setdefault(row[by], []).append({k: v for k, v in row.items() if k != by})
            return groups
        return [row for _i, row in read]

    def _unique_codes(
        self, shape: kit.Shape, read: list[tuple[int, dict[str, Any]]], problems: list[tuple[str, str]]
    ) -> None:
        """A row's code is unique (among its group's rows); a blank one is made up ("r3")."""
        for f in (f for f in shape.fields if f.type == "code"):
            taken: dict[tuple[Any, Any], int] = {}
            for i, row in read:
                scope = row.get(shape.grouped_by) if shape.grouped_by else None
                code = row[f.key]
                if code is None or code is _FAILED:
                    continue
                if (scope, code) in taken:
                    j = taken[(scope, code)]
                    problems.append((f"r{i}-{f.key}", f"第{i}行 {f.label}：与第{j}行重复。"))
                taken.setdefault((scope, code), i)
            for i, row in read:
                if row[f.key] is None:
                    scope = row.get(shape.grouped_by) if shape.grouped_by else None
                    code, n = f"r{i}", 1
                    while (scope, code) in taken:
                        code, n = f"r{i}_{n}", n + 1
                    row[f.key] = code
                    taken[(scope, code)] = i

    # --- what the template lays out ---

    def value_kind(self) -> str:
        return self.shape.kind if self.shape is not None else "json"

    def value_fields(self) -> list[forms.BoundField]:
        return (
            [self[n] for n in self._value_names()]
            if self.value_kind() in ("json", "scalar", "record")
            else []
        )

    def table(self) -> dict[str, Any] | None:
        if self.shape is None or self.shape.kind != "rows":
            return None
        shown = [f for f in self.shape.fields if f.type != "code"]
        codes = [f for f in self.shape.fields if f.type == "code"]
        return {
            "columns": [_unit(f) for f in shown],
            "rows": [
                {
                    "n": i,
                    "cells": [self[f"r{i}-{f.key}"] for f in shown],
                    "hidden": [self[f"r{i}-{f.key}"] for f in codes],
                    "delete": self[f"r{i}-DELETE"],
                }
                for i in range(1, self.row_count + 1)
            ],
        }

    def value_errors(self) -> list[str]:
        """Every message of a table's inputs, shown above it too (a phone shows the table's part)."""
        if self.value_kind() != "rows" or not self.is_bound or self.more_rows:
            return []
        return [str(m) for n in self._value_names() for m in self.errors.get(n, [])]

    def meta_fields(self) -> list[forms.BoundField]:
        return [self["valid_from"], self["reason"], self["source"]]


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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """A list of photo uploads, parsed only: how many, how large and what a photo is are the
    service's rules (core.photos, which also strips the location data). ``capture``: a phone
    offers its camera first (a visit recorded on the spot)."""

    def __init__(self, *args, capture: bool = False, **kwargs):
        attrs = {"accept": "image/jpeg,image/png,image/webp"}
        if capture:
            attrs["capture"] = "environment"
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(d, initial) for d in data if d]
        return super().clean(data, initial)
