"""批量导入党员: a spreadsheet (.xlsx or .csv) of party members, one per row.

Every row is checked by ``services.member_check_new``, the very checks ``member_create`` runs for
one member from the form, so a row is accepted exactly when the same values typed into the form
would be. On top of them, the file itself: an ID number may appear once, and the organisation is
named (not numbered) and must lie in the subtree the user chose. All rows are checked first; if
any is bad nothing is written and the rejection lists every problem with its row number (as the
spreadsheet shows it), the column, the value and the rule. Otherwise everything is written in one
transaction: persons, members and their audit entries in batches, and one entry for the import.

Look-ups are made once for the file, never per row: the organisations named in it (one query),
the ID numbers already registered (one query per 2,000 distinct numbers) and the rule-pack values
(once per organisation). See docs/imports.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.utils import translation

from jiceng.core import audit, bulk, crypto
from jiceng.core.boundary import identifier, text_problem
from jiceng.core.errors import DomainError, ErrorCollector
from jiceng.core.models import Org, OrgKind, RuleOverride
from jiceng.core.rulepacks import rule
from jiceng.core.scoping import can_access_org, org_paths, org_q

from . import services
from .models import ETHNICITIES, Education, Gender, MemberStatus, Mobility, PartyMember, Person
from .plugin import CHANGE_MEMBER

MAX_ROWS = 200_000
MAX_BYTES = 100_000_000  # 200,000 rows of the template are about 40 MB as CSV
BATCH = 2_000


@dataclass(frozen=True)
class Column:
    field: str  # a name of services.PERSON_FIELDS / MEMBER_FIELDS
    header: str  # as the template writes it
    aliases: tuple[str, ...] = ()  # other headers accepted for it (the export's, common spellings)
    required: bool = False  # the column must be present (the service requires a value)
    kind: str = "text"  # text | choice | ethnicity | date | id_number | phone | org
    note: str = ""  # how to fill it, for the template's 说明 sheet
    example: str = ""
    max_length: int = 50  # the boundary's limit for the cell as text (core.boundary)


# The member form's fields (services.PERSON_FIELDS + MEMBER_FIELDS, less the residence, which
# the form does not ask either). tests/people/test_import.py keeps the two in step.
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", required=True, note="必填，不超过50个字。", example="张三"),
    Column(
        "gender",
        "性别",
        required=True,
        kind="choice",
        note="必填：男 或 女，须与身份证号第17位一致。",
        example="男",
    ),
    Column(
        "ethnicity", "民族", kind="ethnicity", note="56个民族之一，如“汉族”；不填按汉族。", example="汉族"
    ),
    Column(
        "birth_date",
        "出生日期",
        kind="date",
        note="可不填（由身份证号推出）；填写时须与身份证号一致。日期写成 1985-07-01。",
        example="",
    ),
    Column(
        "birth_month",
        "出生年月",
        kind="month",
        note="可不填；村里的花名册常写出生年月（如 1977.04、1977年4月），导入时与身份证号中的出生年月核对。",
        example="",
    ),
    Column(
        "education",
        "学历",
        ("文化程度",),
        kind="choice",
        note="研究生、大学本科、大专、中专、高中、初中、小学及以下；可不填。",
        example="高中",
    ),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "身份证"),
        kind="id_number",
        note="18位居民身份证号（GB 11643）。请把本列设为“文本”格式，否则Excel会把号码改成科学计数法。"
        "同一文件中不能重复；已登记在系统中的人不能再导入。",
        example="110101198507010018",
    ),
    Column(
        "phone",
        "联系电话",
        ("手机号", "手机号码", "手机", "电话", "联系方式"),
        kind="phone",
        note="11位手机号或带区号的固定电话；可不填。",
        example="13800000000",
    ),
    Column(
        "org",
        "所属党组织",
        ("所属组织", "所在党组织", "党组织", "所在支部", "所属支部"),
        kind="org",
        note="导入时所选组织之下的党支部、党总支或党小组的名称；重名时写成“上级组织/本组织”；"
        "不填则编入导入时所选的组织。",
        example="第一党支部",
    ),
    Column(
        "status",
        "党员类别",
        ("类别", "人员类别", "党员类型"),
        required=True,
        kind="choice",
        note="必填：正式党员 或 预备党员。",
        example="正式党员",
    ),
    Column(
        "joined_on",
        "入党日期",
        ("入党时间",),
        required=True,
        kind="date",
        note="必填；入党时应年满18周岁。",
        example="2005-07-01",
    ),
    Column(
        "full_on",
        "转正日期",
        ("转正时间",),
        kind="date",
        note="正式党员必填，不早于入党满一年；预备党员不填。",
        example="2006-07-01",
    ),
    Column(
        "mobility",
        "流动状态",
        ("流动情况", "是否流动党员"),
        kind="choice",
        note="在本地、外出流动 或 流入；不填按在本地。",
        example="在本地",
    ),
    Column(
        "mobility_note",
        "流动去向及联系方式",
        ("流动去向", "去向及联系方式", "外出地点", "外出务工地点", "外出去向", "流出地点", "外出务工地址"),
        note="外出流动党员必填（去向和联系方式），不超过200字；填了去向而未填流动状态的，按外出流动登记。",
        example="",
        max_length=200,
    ),
    Column(
        "remarks",
        "备注",
        ("说明", "其他"),
        note="可不填，不超过500字，保存在党员档案中。",
        example="",
        max_length=500,
    ),
)
# Rows that are not members: a roster's totals and its signature lines (first filled cell).
_NOT_A_MEMBER = re.compile(
    r"^(合计|小计|总计|共计|填表人|填报人|制表人|审核人|负责人|填表日期|填报日期|单位盖章|盖章)"
)
IGNORED_HEADERS = {"序号", "年龄"}  # the roster export writes the age (from the ID number)
_MASKED = {"id_number": crypto.mask_id_number, "phone": crypto.mask_phone}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the spreadsheet shows it: the header is row 1 (or lower, after a title row)
    column: str  # the header as the file writes it
    value: str  # the cell, ID and phone numbers masked
    message: str  # the rule, in Chinese

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


class MemberImportRejected(DomainError):
    """The file had bad rows: nothing was written. ``rows`` lists every problem."""

    def __init__(self, rows: list[RowError], bad_rows: int):
        self.rows = rows
        self.bad_rows = bad_rows
        super().__init__(
            field="file",
            message=f"文件：{bad_rows}行有错误（共{len(rows)}处），未导入任何党员。"
            "请改正后重新导入整个文件。",
        )


@dataclass(frozen=True)
class ImportResult:
    created: int


# --- reads ----------------------------------------------------------------------------------


def import_targets(*, actor):
    """Organisations offered as the import's target: the tops of the actor's member-changing
    scope and the committees and general branches below them (each row then names its branch or
    group). Branches are left out below the top so a county's list stays short."""
    paths = org_paths(actor, CHANGE_MEMBER)
    return (
        Org.objects.filter(org_q(actor, CHANGE_MEMBER, field=""))
        .filter(Q(path__in=paths) | Q(kind__in=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH]))
        .order_by("path")
    )


# --- the service ------------------------------------------------------------------------------


Progress = Callable[..., None]  # progress(done, total=None, stage=None): a job's ctx.progress


def member_import(
    *,
    actor,
    org: Org,
    file: IO[bytes] | None = None,
    filename: str = "",
    rows: Iterable[Sequence[Any]] | None = None,
    progress: Progress | None = None,
    ignore_unknown: bool = False,
) -> ImportResult:
    """Register every member of a spreadsheet under ``org``, or none.

    ``file``: an .xlsx or .csv (UTF-8 with or without BOM; GB18030 as Excel saves it on Chinese
    Windows is read too). ``rows``: the same as cells, header first (for callers that hold them).
    The actor needs the member-changing right on ``org`` (as ``member_create`` on the member's
    organisation); each row's organisation must lie in ``org``'s subtree and be of a kind that
    holds members. Raises DomainError for an unreadable file, MemberImportRejected for bad rows.
    """
    if not can_access_org(actor, CHANGE_MEMBER, org):
        raise DomainError(field="org", message="所属党组织：不在您的管辖范围内，不能向该组织导入党员。")
    report = progress or (lambda *a, **k: None)
    if rows is None:
        if file is None:
            raise DomainError(field="file", message="文件：请选择要导入的 .xlsx 或 .csv 文件。")
        rows = read_cells(file, filename)
    report(0, stage="读取文件", force=True)
    header_row, columns, data = _table(rows, ignore_unknown)
    if header_row == 0:
        raise DomainError(field="file", message="文件：没有任何党员数据。")
    clean = _check_rows(actor, org, columns, data, report)
    total = len(clean)
    del data
    return _write(actor, org, clean, filename, report, total)


def import_start(
    *, actor, org: Org, file: IO[bytes] | None, filename: str = "", ignore_unknown: bool = False
):
    """Queue the import of a file as a job (core.jobs, kind people.member_import) and return it at
    once; what can be told of the file without reading its rows is refused here, as a field error."""
    from jiceng.core import jobs

    if file is None:
        raise DomainError(field="file", message="文件：请选择要导入的 .xlsx 或 .csv 文件。")
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    if size > MAX_BYTES:
        raise DomainError(
            field="file",
            message=f"文件：{size / 1e6:.0f} MB，超过 {MAX_BYTES // 1_000_000} MB 的上限；请分成几个文件导入。",
        )
    check_header(actor=actor, org=org, file=file, filename=filename, ignore_unknown=ignore_unknown)
    return jobs.start(
        actor=actor,
        kind="people.member_import",
        title=f"批量导入党员：{filename or '文件'}"[:200],
        org=org,
        params={"filename": filename, "ignore_unknown": ignore_unknown},
        inputs={"upload": file},
    )


def check_header(
    *, actor, org: Org, file: IO[bytes], filename: str = "", ignore_unknown: bool = False
) -> list[str]:
    """What can be said of a file at once, before it is queued: that it can be read, has a header
    with the required columns and at least one row, and that the actor may import into ``org``.
    Raises DomainError on ``file`` (or ``org``); the rows are checked by the job."""
    if not can_access_org(actor, CHANGE_MEMBER, org):
        raise DomainError(field="org", message="所属党组织：不在您的管辖范围内，不能向该组织导入党员。")
    try:
        rows = iter(read_cells(file, filename))
        _row, _columns, unknown, pending = _header(rows, ignore_unknown)
        if pending is not None:
            rows = _chain_one(pending, rows)
        if not any(any(_text(c) for c in cells) for cells in rows):
            raise DomainError(field="file", message="文件：表头之下没有任何党员数据。")
        return unknown
    finally:
        file.seek(0)


def _write(actor, org: Org, clean: list, filename: str, report: Progress, total: int) -> ImportResult:
    def created_members() -> Iterator[tuple[PartyMember, str, dict[str, Any]]]:
        """Persons and members are inserted a batch at a time as the audit writer asks for the
        entries (it reads them in batches of the same size), so one record_many call sees every
        organisation written under and marks each once for the rollups."""
        for start in range(0, len(clean), BATCH):
            report(start, total, stage="写入")
            members = [services.member_build(p, m) for p, m in clean[start : start + BATCH]]
            clean[start : start + BATCH] = [None] * len(members)  # let the checked values go as we write
            digests.extend(m.person.id_number_digest for m in members)
            bulk.insert([m.person for m in members], batch_size=BATCH)
            bulk.insert(members, batch_size=BATCH)
            bulk.insert(services.first_memberships(members), batch_size=BATCH)
            for m in members:
                yield m, m.org.path, services.member_created_changes(m)

    digests: list[str] = []
    report(0, total, stage="写入", force=True)  # before the transaction: where every reader sees it
    with transaction.atomic():
        created = audit.record_many(actor=actor, action="create", entries=created_members(), batch_size=BATCH)
        audit.record(
            actor=actor,
            action="import",
            target_type="people.partymember",
            target_repr=f"批量导入党员 {created} 人",
            org_path=org.path,
            changes={"rows": [None, created], "file": [None, filename[:100]]},
        )
        services.lock_registrations(digests, field="file")  # last: held for the check and the commit
    return ImportResult(created=created)


# --- reading the file -------------------------------------------------------------------------


def read_cells(file: IO[bytes], filename: str = "") -> Iterator[Sequence[Any]]:
    """The rows of the first sheet of an .xlsx, or of a .csv, as cell values."""
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _xlsx_cells(file)
    if head.startswith(b"\xd0\xcf\x11\xe0") or filename.lower().endswith(".xls"):
        raise DomainError(
            field="file", message="文件：不支持旧版 .xls 格式，请在 Excel 或 WPS 中另存为 .xlsx 后再导入。"
        )
    if filename.lower().endswith(".xlsx"):
        raise DomainError(field="file", message="文件：无法读取该 Excel 文件，请确认是 .xlsx 格式。")
    return _csv_cells(file)


def _xlsx_cells(file: IO[bytes]) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # any failure to open a user's file is that file's fault
        raise DomainError(
            field="file", message="文件：无法读取该 Excel 文件，请确认是 .xlsx 格式。"
        ) from None

    def rows() -> Iterator[Sequence[Any]]:
        try:
            yield from wb.worksheets[0].iter_rows(values_only=True)
        except DomainError:
            raise
        except Exception:
            raise DomainError(field="file", message="文件：Excel 文件已损坏，无法读完。") from None
        finally:
            wb.close()

    return rows()


def _csv_cells(file: IO[bytes]) -> Iterator[Sequence[Any]]:
    raw = file.read()
    if isinstance(raw, str):
        text = raw.removeprefix("\ufeff")
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DomainError(
                field="file", message="文件：CSV 文件应为 UTF-8 编码，请在保存时选择“CSV UTF-8”。"
            )

    def rows() -> Iterator[Sequence[Any]]:
        try:
            yield from csv.reader(io.StringIO(text))
        except csv.Error:
            raise DomainError(field="file", message="文件：CSV 格式有误，无法读完。") from None

    return rows()


def _normalise_header(value: Any) -> str:
    text = re.sub(r"[\s*＊]", "", str(value or ""))
    return re.sub(r"[（(][^）)]*[）)]$", "", text)  # 身份证号（脱敏）, 出生日期(选填)


def _header_map() -> dict[str, Column]:
    out = {}
    for col in COLUMNS:
        for name in (col.header, *col.aliases):
            out[name] = col
    return out


def _table(
    rows: Iterable[Sequence[Any]], ignore_unknown: bool = False
) -> tuple[int, list[tuple[int, Column, str]], list]:
    """(header row number, [(index, column, header as written)], [(row number, cells)]). The
    header is the first row holding 姓名 among the first ten (a title row may come before it); a
    second header row under merged cells is read with it; totals and signature rows are skipped."""
    it = iter(rows)
    header_row, columns, _unknown, pending = _header(it, ignore_unknown)
    if pending is not None:
        it = _chain_one(pending, it)
    data = []
    width = max(i for i, _c, _h in columns) + 1
    used = [i for i, _c, _h in columns]
    for number, cells in enumerate(it, start=header_row + 1):
        cells = tuple(cells[:width])
        if all(_text(cells[i]) == "" for i in used if i < len(cells)):
            continue  # a blank row, or one with only a 序号
        first = next((_text(c) for c in cells if _text(c)), "")
        if _NOT_A_MEMBER.match(first.replace(" ", "")):
            continue  # 合计 / 填表人 …: the roster's own lines, not a member
        if len(data) >= MAX_ROWS:
            raise DomainError(
                field="file", message=f"文件：超过单次导入上限{MAX_ROWS}行，请分成几个文件导入。"
            )
        data.append((number, cells))
    if not data:
        raise DomainError(field="file", message="文件：表头之下没有任何党员数据。")
    return header_row, columns, data


def _chain_one(first, rest):
    yield first
    yield from rest


def _header(it, ignore_unknown: bool = False):
    """Read ``it`` up to the header row; (its row number, its columns, the unknown headers, the
    row read after the header that is data, or None). Refuses repeated and missing required
    columns, and unknown ones unless ``ignore_unknown`` (the user saw them and confirmed).

    A two-row header (merged cells: 流动情况 over 是否外出 | 外出地点) is read as one: where the row
    under the header has no name and holds headings, each heading below replaces the one above."""
    by_header = _header_map()
    header_row, header = 0, None
    for number, cells in enumerate(it, start=1):
        if any(_normalise_header(c) == "姓名" for c in cells):
            header_row, header = number, list(cells)
            break
        if number >= 10:
            break
    if header is None:
        raise DomainError(
            field="file", message="文件：前10行中找不到表头（含“姓名”的一行），请使用导入模板。"
        )
    pending = next(it, None)
    name_at = next(i for i, c in enumerate(header) if _normalise_header(c) == "姓名")
    if pending is not None:
        below = list(pending)
        is_sub = (name_at >= len(below) or _text(below[name_at]) == "") and any(
            _normalise_header(c) in by_header or _normalise_header(c) in IGNORED_HEADERS for c in below
        )
        if is_sub:
            width = max(len(header), len(below))
            header += [None] * (width - len(header))
            header = [below[i] if i < len(below) and _text(below[i]) else header[i] for i in range(width)]
            header_row += 1
            pending = None
    columns: list[tuple[int, Column, str]] = []
    unknown, seen = [], {}
    for index, cell in enumerate(header):
        name = _normalise_header(cell)
        if not name or name in IGNORED_HEADERS:
            continue
        col = by_header.get(name)
        if col is None:
            unknown.append(str(cell).strip())
        elif col.field in seen:
            raise DomainError(
                field="file",
                message=f"文件：“{seen[col.field]}”和“{str(cell).strip()}”是同一列，请删去一列。",
            )
        else:
            seen[col.field] = str(cell).strip()
            columns.append((index, col, str(cell).strip()))
    if unknown and not ignore_unknown:
        known = "、".join(c.header for c in COLUMNS)
        raise DomainError(
            field="file",
            message=f"文件：第{header_row}行有无法识别的列“{'”、“'.join(unknown)}”。可用的列：{known}。"
            "如这些列不需要导入，请勾选“忽略无法识别的列”后重新上传，这些列将被忽略。",
        )
    missing = [c.header for c in COLUMNS if c.required and c.field not in seen]
    if missing:
        raise DomainError(field="file", message=f"文件：缺少必填的列“{'”、“'.join(missing)}”。")
    return header_row, columns, unknown, pending


# --- one cell ---------------------------------------------------------------------------------


def _choices() -> dict[str, dict[str, str]]:
    """Accepted spellings of each choice column: the code, the label the form shows, a few more."""
    out: dict[str, dict[str, str]] = {}
    with translation.override("zh-hans"):
        for field, choices in (
            ("gender", Gender),
            ("education", Education),
            ("status", MemberStatus),
            ("mobility", Mobility),
        ):
            out[field] = {str(v): v for v in choices.values} | {str(label): v for v, label in choices.choices}
    out["education"] |= {
        "本科": Education.BACHELOR,
        "大学": Education.BACHELOR,
        "专科": Education.COLLEGE,
        "大学专科": Education.COLLEGE,
        "硕士": Education.POSTGRADUATE,
        "博士": Education.POSTGRADUATE,
        "小学": Education.PRIMARY_OR_BELOW,
    }
    out["status"] |= {"正式": MemberStatus.FULL, "预备": MemberStatus.PROBATIONARY}
    out["mobility"] |= {
        "否": Mobility.NONE,
        "无": Mobility.NONE,
        "本地": Mobility.NONE,
        "外出": Mobility.OUTFLOW,
        "流出": Mobility.OUTFLOW,
        "是": Mobility.OUTFLOW,
        "流入党员": Mobility.INFLOW,
    }
    return out


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:00(?::00)?)?$", re.ASCII
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$", re.ASCII)
_MONTH_COMPACT = re.compile(r"^(\d{4})(\d{2})$", re.ASCII)


def _month(value: Any) -> tuple[tuple[int, int] | None, str | None]:
    """(year, month) of a 出生年月 cell: a date cell, an Excel serial, 1977.04 / 1977年4月 / 1977-04 /
    197704 as text, or a number — where 1977.1 is what Excel keeps of a cell typed 1977.10, i.e.
    October (1977.01 stays January)."""
    if isinstance(value, dt.datetime | dt.date):
        return (value.year, value.month), None
    if isinstance(value, float) and 1900 <= value < 2100:
        year = int(value)
        month = round((value - year) * 100)
        if 1 <= month <= 12:
            return (year, month), None
    if isinstance(value, int | float) and 7_000 < value < 100_000:
        from openpyxl.utils.datetime import from_excel

        d = from_excel(value)
        return (d.year, d.month), None
    text = identifier(_text(value))
    m = _MONTH.match(text) or _MONTH_COMPACT.match(text) or _DATE.match(text)
    if m and 1900 <= int(m.group(1)) < 2100 and 1 <= int(m.group(2)) <= 12:
        return (int(m.group(1)), int(m.group(2))), None
    return None, "出生年月：无法识别，请写成 1977.04 或 1977年4月 这样的格式。"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()  # str.strip takes the full-width space too


def _parse(col: Column, value: Any, choices: dict[str, dict[str, str]]) -> tuple[Any, str | None]:
    """(value for the service, or None and the message why the cell cannot be read)."""
    if col.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        if (
            isinstance(value, int | float) and 7_000 < value < 100_000
        ):  # a date cell Excel shows as a number (a serial)
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date(), None
        text = identifier(_text(value))  # full-width digits (２００５－０７－０１) through the boundary
        if not text:
            return None, None
        m = _DATE.match(text) or _DATE_COMPACT.match(text)
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), None  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            return None, f"{col.header}：无法识别的日期，请写成 2005-07-01 这样的格式。"
    if col.kind == "month":
        return _month(value)
    text = value.strip() if type(value) is str else _text(value)
    problem = text_problem(text, label=col.header, max_length=col.max_length, name=col.field == "name")
    if problem:
        return None, problem
    if col.kind == "text":
        return text, None
    if col.kind == "choice":
        return choices[col.field].get(text, text), None
    if col.kind == "ethnicity" and text and text not in ETHNICITIES and f"{text}族" in ETHNICITIES:
        return f"{text}族", None  # 汉 → 汉族
    if col.kind == "id_number":
        if isinstance(value, int | float) and abs(value) >= 10**14:
            return None, (
                "身份证号：单元格是数字格式，Excel 只保留15位有效数字，号码已被改动；"
                "请把该列设为“文本”格式后重新填写。"
            )
        if "*" in text:
            return None, "身份证号：这是脱敏后的号码，请填写完整的18位号码。"
    if col.kind == "phone" and "*" in text:
        return None, "联系电话：这是脱敏后的号码，请填写完整号码。"
    return text, None


def _shown(col: Column, value: Any) -> str:
    text = _text(value)
    if col.field in _MASKED and len(text) >= 7:
        return _MASKED[col.field](text)
    return text


# --- organisations, ID numbers, rules: once per file -------------------------------------------


def _org_resolver(target: Org, names: set[str]) -> Callable[[str], tuple[Org | None, str | None]]:
    """Organisations are written by name, or ``上级/本级`` when a name repeats in the subtree."""
    parts = {p for n in names for p in _split(n)}
    found: list[Org] = []
    chunk = sorted(parts)
    for i in range(0, len(chunk), 1000):
        found += Org.objects.filter(path__startswith=target.path, name__in=chunk[i : i + 1000])
    by_name: dict[str, list[Org]] = {}
    by_path = {}
    for o in found:
        by_name.setdefault(o.name, []).append(o)
        by_path[o.path] = o
    step = Org.steplen
    memo: dict[str, tuple[Org | None, str | None]] = {}

    def under(org: Org, chain: list[str]) -> bool:
        chain = list(chain)
        for end in range(len(org.path) - step, len(target.path) - 1, -step):
            above = by_path.get(org.path[:end])
            if above is not None and chain and above.name == chain[-1]:
                chain.pop()
        return not chain

    def resolve(cell: str) -> tuple[Org | None, str | None]:
        if cell not in memo:
            names = _split(cell)
            candidates = [o for o in by_name.get(names[-1], []) if under(o, names[:-1])]
            if len(candidates) == 1:
                memo[cell] = candidates[0], None
            elif not candidates:
                memo[cell] = None, f"所属党组织：在“{target.name}”之下没有名为“{cell}”的党组织。"
            else:
                memo[cell] = (
                    None,
                    (
                        f"所属党组织：“{cell}”在“{target.name}”之下有{len(candidates)}个同名组织，"
                        f"请写成“上级组织/{names[-1]}”以区分。"
                    ),
                )
        return memo[cell]

    return resolve


def _split(cell: str) -> list[str]:
    return [p.strip() for p in re.split(r"[/／]", cell) if p.strip()]


def _id_lookup(numbers: Iterable[str]) -> Callable[[str, Person | None], bool]:
    """The ID numbers of the file already registered, in one query per 2,000; a number the
    pre-read did not see (spelt differently) is asked the usual way, so none slips through."""
    asked = {crypto.digest(identifier(n), field="id_number") for n in numbers if n}
    taken = services.registered_digests(asked)

    def id_taken(digest: str, person: Person | None) -> bool:
        if digest in asked:
            return digest in taken
        return services._id_number_taken(digest, person)

    return id_taken


def _rules() -> Callable[..., Any]:
    """``rule``, asked once per (rule, organisation), and only for organisations with an override
    of a people rule on their path: elsewhere the default applies (an override reaches its own
    organisation's subtree, docs/rule-packs.md), so a file spread over hundreds of branches costs
    one query here instead of three per branch."""
    overridden = set(
        RuleOverride.objects.filter(key__startswith="people.").values_list("org__path", flat=True)
    )
    memo: dict[tuple[str, int | None], Any] = {}

    def cached(key: str, org: Org | None = None) -> Any:
        if org is not None and not any(org.path.startswith(p) for p in overridden):
            org = None
        k = (key, org.pk if org is not None else None)
        if k not in memo:
            memo[k] = rule(key, org)
        return memo[k]

    return cached


# --- checking every row -----------------------------------------------------------------------


def _check_rows(
    actor, target: Org, columns: list[tuple[int, Column, str]], data: list, report: Progress | None = None
) -> list:
    """The cleaned values of every row, or MemberImportRejected listing every problem."""
    report = report or (lambda *a, **k: None)
    total = len(data)
    rules = _rules()
    headers = {c.field: c.header for c in COLUMNS} | {c.field: h for _i, c, h in columns}
    index = {c.field: i for i, c, _h in columns}
    if "org" not in index and target.kind not in rules("people.member_org_kinds", target):
        raise DomainError(
            field="file",
            message=f"文件：所选的“{target.name}”是{target.get_kind_display()}，"
            "不能直接编入党员；请在文件中加上“所属党组织”列，写明每名党员的党支部或党小组。",
        )

    def cell(cells: Sequence[Any], field: str) -> Any:
        i = index.get(field)
        return cells[i] if i is not None and i < len(cells) else None

    org_of = _org_resolver(target, {_text(cell(c, "org")) for _n, c in data} - {""})
    id_taken = _id_lookup(_text(cell(c, "id_number")).upper().replace(" ", "") for _n, c in data)
    choices = _choices()
    by_field = {c.field: c for c in COLUMNS}
    first_row_of: dict[str, int] = {}
    problems: list[RowError] = []
    bad_rows = 0
    clean: list = []
    plan = [(i, col) for i, col, _h in columns if col.field != "org"]
    report(0, total, stage="校验", force=True)
    for checked, (number, cells) in enumerate(data):
        if checked % 1000 == 0:
            report(checked, total, stage="校验")
        width = len(cells)
        values: dict[str, Any] = {}
        unreadable: dict[str, str] = {}
        for i, col in plan:
            raw = cells[i] if i < width else None
            if raw is None or raw == "":
                continue
            value, msg = _parse(col, raw, choices)
            if msg:
                unreadable[col.field] = msg
            elif value != "":
                values[col.field] = value
        month = values.pop("birth_month", None)
        if values.get("mobility_note") and "mobility" not in values and "mobility" not in unreadable:
            values["mobility"] = Mobility.OUTFLOW  # a destination written: the member is away
        org_cell = _text(cell(cells, "org"))
        if org_cell:
            values["org"], msg = org_of(org_cell)
            if msg:
                unreadable["org"] = msg
        else:
            values["org"] = target
        errors = ErrorCollector()
        person, member = services.member_check_new(errors, actor, values, id_taken=id_taken, rule=rules)
        found = [(f, m) for f, m in unreadable.items()]
        birth = person.get("birth_date")
        if month and birth and (birth.year, birth.month) != month:
            found.append(
                (
                    "birth_month",
                    f"出生年月：{month[0]}年{month[1]}月与身份证号中的出生年月（{birth.year}年{birth.month}月）不一致。",
                )
            )
        found += [(f, m) for f, msgs in errors.errors.items() if f not in unreadable for m in msgs]
        if person["id_number"]:
            first = first_row_of.setdefault(person["id_number"], number)
            if first != number:
                found.append(("id_number", f"身份证号：与第{first}行重复，同一人只能导入一次。"))
        if found:
            bad_rows += 1
            clean = []  # nothing will be written; keep no more
            order = list(by_field)
            for f, m in sorted(found, key=lambda fm: order.index(fm[0]) if fm[0] in by_field else 99):
                shown = _shown(by_field[f], cell(cells, f)) if f in by_field else ""
                problems.append(RowError(number, headers.get(f, f), shown, m))
        elif not problems:
            clean.append((person, member))
    if problems:
        raise MemberImportRejected(problems, bad_rows)
    return clean


# --- the template -----------------------------------------------------------------------------


def template_xlsx() -> tempfile.SpooledTemporaryFile:
    """导入模板: the header row (ID and phone columns formatted as text, drop-downs for the choice
    columns) and a 说明 sheet with each column's rule and an example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    choices = _choices()
    wb = Workbook()
    ws = wb.active
    ws.title = "党员名册"
    ws.append([c.header + ("*" if c.required else "") for c in COLUMNS])
    last = MAX_ROWS + 1
    with translation.override("zh-hans"):
        lists = {"gender": Gender, "education": Education, "status": MemberStatus, "mobility": Mobility}
        for n, col in enumerate(COLUMNS, start=1):
            letter = get_column_letter(n)
            ws.cell(row=1, column=n).font = Font(bold=True)
            ws.column_dimensions[letter].width = max(10, len(col.header) * 2 + 4)
            if col.kind in ("id_number", "phone"):
                ws.column_dimensions[letter].width = 22
                ws.column_dimensions[letter].number_format = "@"
            if col.field in lists:
                labels = ",".join(str(label) for _v, label in lists[col.field].choices)
                dv = DataValidation(
                    type="list", formula1=f'"{labels}"', allow_blank=True, showErrorMessage=False
                )
                dv.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    notes.append(["列", "是否必填", "填写说明"])
    for col in COLUMNS:
        notes.append([col.header, "必填" if col.required else "", col.note])
    notes.append([])
    notes.append(["一行示例（请在“党员名册”表中填写，本表不会导入）"])
    notes.append([c.header for c in COLUMNS])
    notes.append([c.example for c in COLUMNS])
    notes.append([])
    notes.append(["民族可填", "、".join(ETHNICITIES)])
    notes.append(["学历可填", "、".join(k for k in choices["education"] if not k.isascii())])
    notes.append(
        [
            "其他",
            f"整个文件先全部校验：任何一行有错则不导入任何数据，并列出每一处错误；单次最多{MAX_ROWS}行。"
            "第一列可以是“序号”（不导入）；列的顺序不限。",
        ]
    )
    for letter, width in (("A", 22), ("B", 12), ("C", 90)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=1, max_row=1):
        for c in row:
            c.font = Font(bold=True)
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    wb.save(out)
    out.seek(0)
    return out
