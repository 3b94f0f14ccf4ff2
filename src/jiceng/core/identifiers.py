"""Identifiers that personal data carries (a resident ID number, a phone), checked once for every
app: each check returns the normalised value and a Chinese message naming the field and the rule,
or None when the value is fine."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from .boundary import ascii_match, identifier

# GB/T 2260 province-level prefixes. stdnum's county table stops at the late 1990s (it rejects
# every Chongqing 500xxx code, for one), so we check the province and leave the county alone.
_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
}
_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}", re.ASCII)
_ID_NUMBER = re.compile(r"\d{17}[\dX]", re.ASCII)


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    gender: str  # "male" | "female"


def parse_id_number(value: str) -> tuple[IdInfo | None, str | None]:
    """Validate a resident ID number (GB 11643): length, digits, checksum, birth date, province."""
    number = identifier(value)
    if len(number) != 18:
        return None, "身份证号：应为18位（GB 11643）。"
    if not ascii_match(_ID_NUMBER, number):
        return None, "身份证号：前17位应为数字0-9，最后一位为数字或X（全角数字可以，其他文字的数字不行）。"
    if number[:2] not in _PROVINCES:
        return None, "身份证号：前两位不是有效的省级行政区划代码（GB/T 2260）。"
    if ric.calc_check_digit(number) != number[17]:
        return None, "身份证号：校验码不正确（GB 11643 校验位）。"
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        return None, "身份证号：第7-14位不是有效的出生日期。"
    if birth > dt.date.today() or birth.year < 1900:
        return None, "身份证号：出生日期不合理。"
    gender = "male" if int(number[16]) % 2 == 1 else "female"
    return IdInfo(number, birth, gender), None


def normalise_phone(value: str) -> tuple[str, str | None]:
    phone = re.sub(r"[()]", "", identifier(value))
    if not phone:
        return "", None
    if phone.startswith("+86"):
        phone = phone[3:]
    if ascii_match(_MOBILE, phone) or ascii_match(_LANDLINE, phone):
        return phone, None
    return phone, "联系电话：应为11位手机号（1开头）或带区号的固定电话。"
