"""The input boundary: one set of checks every form, API schema and importer applies before a value
reaches a service (docs/input-boundary.md).

- identifiers (ID numbers, phones, codes): NFKC, upper case, spaces dropped, then the field's
  ASCII pattern — NFKC turns full-width digits into ASCII but leaves Arabic-Indic and other
  digits alone, and Python's ``int()`` and ``str.isdigit()`` accept those, so the pattern is what
  refuses them;
- text: control characters and unpaired surrogates refused (newline and tab only in multi-line
  fields), bidirectional and zero-width characters refused in names, every field's declared
  maximum length enforced with the limit named — never cut;
- dates: bounds per kind of field (a birth, an admission, a term or deadline, a month);
- API bodies: unknown fields and nulls where "clear" is not allowed are refused; every refusal is
  HTTP 400 with ``{"errors": [{"field", "message"}]}``, as a DomainError's.

Every function returns a Chinese message naming the field and the rule, or None when fine.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, model_validator

# --- identifiers -------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def identifier(value: str | None) -> str:
    """NFKC, upper case, no spaces: a full-width ``４３０７…ｘ`` is the same number as ``4307…X``."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def ascii_match(pattern: re.Pattern[str], value: str) -> bool:
    """The pattern must be compiled with re.ASCII (``\\d`` is then 0-9 only); checked here too."""
    assert pattern.flags & re.ASCII, "identifier patterns are ASCII-only"
    return pattern.fullmatch(value) is not None


# --- text --------------------------------------------------------------------------------------

# Format characters that reorder or hide text (bidi overrides and isolates, zero-width joiners,
# the BOM): harmless in minutes, a spoofing tool in a name.
_INVISIBLE = {
    *range(0x200B, 0x2010),  # zero-width space/non-joiner/joiner, LRM, RLM
    *range(0x202A, 0x202F),  # bidi embeddings and overrides
    *range(0x2060, 0x2070),  # word joiner, invisible operators, bidi isolates
    0x061C,  # Arabic letter mark
    0xFEFF,  # BOM / zero-width no-break space
    0x00AD,  # soft hyphen
}


# One search finds what is refused everywhere (fast: an import checks hundreds of thousands of
# cells); the message then names the first such character.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]|(?P<line>[\t\n\r])")
_REFUSED_IN_NAMES = re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp in sorted(_INVISIBLE)) + "\u2028\u2029\U000e0000-\U000e007f]"
)


def text_problem(
    value: str, *, label: str, max_length: int | None, multiline: bool = False, name: bool = False
) -> str | None:
    """Why ``value`` may not be stored in a text field, or None."""
    for m in _REFUSED.finditer(value):
        if multiline and m.group("line"):
            continue
        cp = ord(m.group())
        if 0xD800 <= cp <= 0xDFFF:
            return f"{label}：含有无效字符（不成对的代理项 U+{cp:04X}），请重新输入。"
        where = "（只允许换行和制表符）" if multiline else "（不允许换行、制表符等控制字符）"
        return f"{label}：含有控制字符 U+{cp:04X}{where}。"
    if name:
        bad = _REFUSED_IN_NAMES.search(value)
        found: int | None = (
            ord(bad.group())
            if bad
            else next((ord(ch) for ch in value if ord(ch) > 0x5FF and unicodedata.category(ch) == "Cf"), None)
        )
        if found is not None:
            return f"{label}：含有不可见的格式字符 U+{found:04X}（零宽或改变文字方向的字符），姓名和名称中不允许。"
    if max_length is not None and len(value) > max_length:
        return f"{label}：最多{max_length}个字符（现为{len(value)}个），请删减后再提交，系统不会截断。"
    return None


# --- dates -------------------------------------------------------------------------------------

PARTY_FOUNDED = dt.date(1921, 7, 1)
EARLIEST_BIRTH = dt.date(1900, 1, 1)
NEAR_YEARS = 30  # terms, deadlines, meetings, months: within this many years of today


def _years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def date_bounds(kind: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(earliest, latest) a date of this kind may be. Kinds: birth, history (admission, full
    membership, an organisation's founding), near (terms, deadlines, meetings, months)."""
    today = today or timezone.localdate()
    if kind == "birth":
        return EARLIEST_BIRTH, today
    if kind == "history":
        return PARTY_FOUNDED, today
    if kind == "near":
        return _years(today, -NEAR_YEARS), _years(today, NEAR_YEARS)
    raise ValueError(f"unknown date kind {kind!r}")


# Which kind a date field is, by its name (forms and schemas use the same names as the models).
DATE_KINDS = {
    "birth_date": "birth",
    "joined_on": "history",
    "full_on": "history",
    "established_on": "history",
}


def date_problem(value: dt.date, *, label: str, kind: str) -> str | None:
    low, high = date_bounds(kind)
    if value < low:
        return f"{label}：不能早于{low:%Y-%m-%d}。"
    if value > high:
        if kind in ("birth", "history"):
            return f"{label}：不能晚于今天。"
        return f"{label}：不能晚于{high:%Y-%m-%d}（今天起{NEAR_YEARS}年内）。"
    return None


def date_kind(field_name: str) -> str:
    return DATE_KINDS.get(field_name, "near")


# Fields holding the name of a person or an organisation: no invisible characters.
NAME_FIELDS = {"name", "person_name", "chair", "recorder", "label"}


# --- forms -------------------------------------------------------------------------------------


class BoundaryForm(forms.Form):
    """Every form's base: after Django has parsed the fields, each text and date value passes the
    boundary (a field message, and the form is invalid). A CharField without ``max_length`` is a
    defect the boundary test finds."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # Django's hook, not in the stubs
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            label = str(field.label or name)
            problem = None
            if isinstance(value, str) and isinstance(field, forms.CharField):
                problem = text_problem(
                    value,
                    label=label,
                    max_length=field.max_length,
                    multiline=isinstance(field.widget, forms.Textarea),
                    name=name in NAME_FIELDS,
                )
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                problem = date_problem(value, label=label, kind=getattr(field, "date_kind", date_kind(name)))
            if problem:
                self.add_error(name, problem)


# --- API schemas -------------------------------------------------------------------------------

# Labels for the messages when a schema field has no title of its own.
LABELS = {
    "name": "姓名",
    "gender": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "education": "学历",
    "id_number": "身份证号",
    "phone": "联系电话",
    "org": "所属党组织",
    "status": "党员类别",
    "joined_on": "入党日期",
    "full_on": "转正日期",
    "mobility": "流动状态",
    "mobility_note": "流动去向及联系方式",
    "held_on": "会议日期",
    "kind": "类型",
    "place": "地点",
    "topic": "议题",
    "minutes": "会议记录",
    "attendance": "出席情况",
    "member": "党员",
    "reason": "原因",
    "note": "说明",
    "offset": "起始位置",
    "limit": "每页条数",
    "term_from": "任期开始",
    "term_to": "任期结束",
    "month": "月份",
    "items": "条目",
    "committee": "班子",
    "post": "职务",
    "person": "人员",
}


def label_for(schema: type | None, field: str) -> str:
    info = getattr(schema, "model_fields", {}).get(field) if schema is not None else None
    if info is not None and info.title:
        return str(info.title)
    return LABELS.get(field, field)


class In(Schema):
    """Every API input body's base: unknown fields refused, text and dates through the boundary,
    and an explicit null refused unless the field is in ``nullable`` (where null means "clear")."""

    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset()
    multiline: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if value is None and key in cls.model_fields and key not in cls.nullable:
                    raise ValueError(f"{key}\x1f{label_for(cls, key)}：不能为null；不修改请省略该字段。")
        return data

    @model_validator(mode="after")
    def _boundary(self) -> In:
        for key, info in type(self).model_fields.items():
            value = getattr(self, key)
            label = label_for(type(self), key)
            problem = None
            if isinstance(value, str):
                problem = text_problem(
                    value,
                    label=label,
                    max_length=max_length_of(info),
                    multiline=key in self.multiline,
                    name=key in NAME_FIELDS,
                )
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                problem = date_problem(value, label=label, kind=date_kind(key))
            elif isinstance(
                value, list
            ):  # a list of lines (a topic list's items); the length is the item type's
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        problem = text_problem(item, label=f"{label}第{i + 1}项", max_length=None)
                        if problem:
                            raise ValueError(f"{key}.{i}\x1f{problem}")
            if problem:
                raise ValueError(f"{key}\x1f{problem}")
        return self


def max_length_of(info) -> int | None:
    for meta in info.metadata:
        if getattr(meta, "max_length", None) is not None:
            return meta.max_length
    return None


# --- ninja's validation errors, in Chinese -------------------------------------------------------

_TYPE_MESSAGES = {
    "missing": "必填。",
    "extra_forbidden": "未知字段，请删去（接口只接受文档列出的字段）。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "int_from_float": "应为整数。",
    "float_parsing": "应为数字。",
    "float_type": "应为数字。",
    "bool_parsing": "应为 true 或 false。",
    "bool_type": "应为 true 或 false。",
    "string_type": "应为文本。",
    "string_unicode": "含有无效字符（不成对的代理项），请重新输入。",
    "date_parsing": "应为日期，格式 YYYY-MM-DD。",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD。",
    "date_type": "应为日期，格式 YYYY-MM-DD。",
    "list_type": "应为列表。",
    "dict_type": "应为对象。",
    "model_type": "应为对象。",
    "model_attributes_type": "应为对象。",
    "json_invalid": "请求体不是有效的JSON。",
    "uuid_parsing": "应为UUID。",
    "uuid_type": "应为UUID。",
}


def _message(err: dict, schema: type | None) -> tuple[str, str]:
    loc = [str(p) for p in err.get("loc", ())]
    # ninja prefixes the location with the parameter's source and name ("body", "payload")
    while loc and loc[0] in ("body", "query", "path", "form", "file", "payload", "f", "filters"):
        loc = loc[1:]
    field = ".".join(loc) or "__all__"
    kind = err.get("type", "")
    text = str(err.get("msg", ""))
    if kind == "value_error" and "\x1f" in text:  # ours: "field\x1fmessage"
        raw = text.split("Value error, ", 1)[-1]
        own_field, _, message = raw.partition("\x1f")
        return (field if field != "__all__" else own_field), message
    label = label_for(schema, loc[-1]) if loc else "请求"
    if kind == "string_too_long":
        limit = (err.get("ctx") or {}).get("max_length")
        return field, f"{label}：最多{limit}个字符，系统不会截断。"
    if kind == "string_too_short":
        limit = (err.get("ctx") or {}).get("min_length")
        return field, f"{label}：至少{limit}个字符。"
    if kind in ("greater_than_equal", "greater_than"):
        limit = (err.get("ctx") or {}).get("ge", (err.get("ctx") or {}).get("gt"))
        return field, f"{label}：应不小于{limit}。"
    if kind in ("less_than_equal", "less_than"):
        limit = (err.get("ctx") or {}).get("le", (err.get("ctx") or {}).get("lt"))
        return field, f"{label}：应不大于{limit}。"
    if kind in ("literal_error", "enum"):
        expected = (err.get("ctx") or {}).get("expected", "")
        return field, f"{label}：取值应为 {expected}。"
    if kind in _TYPE_MESSAGES:
        return field, f"{label}：{_TYPE_MESSAGES[kind]}"
    return field, f"{label}：格式不正确（{kind}）。"


def validation_errors(errors: list[dict], schema: type | None = None) -> list[dict[str, str]]:
    """ninja / pydantic error dicts as the API's ``[{"field", "message"}]``."""
    out = []
    for err in errors:
        field, message = _message(err, schema)
        out.append({"field": field, "message": message})
    return out


__all__ = [
    "BoundaryForm",
    "In",
    "ascii_match",
    "date_bounds",
    "date_problem",
    "identifier",
    "text_problem",
    "validation_errors",
]
