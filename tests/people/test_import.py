"""批量导入党员: the service, the page and the API, on the real database."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jiceng.core import audit, crypto, jobs
from jiceng.core.errors import DomainError
from jiceng.core.models import AuditEntry, Job, RollupDirty
from jiceng.core.services import api_token_create
from jiceng.people import imports, services
from jiceng.people.forms import MemberForm
from jiceng.people.models import PartyMember, Person
from tests.world import make_id

HEADER = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "出生年月",
    "学历",
    "身份证号",
    "联系电话",
    "所属党组织",
    "党员类别",
    "入党日期",
    "转正日期",
    "流动状态",
    "流动去向及联系方式",
    "备注",
]


def pid(n: int, male: bool = True) -> str:
    """A valid ID number, distinct for each n (births spread over days, the sequence over n)."""
    return make_id(dt.date(1960, 1, 1) + dt.timedelta(days=n % 9000), male, n % 400 + 100, region="110105")


def row(n: int, org: str = "", **over) -> list[str]:
    male = n % 3 != 0
    values = {
        "姓名": f"导入{n}",
        "性别": "男" if male else "女",
        "民族": "汉族",
        "出生日期": "",
        "学历": "高中",
        "身份证号": pid(n, male),
        "联系电话": f"139{n:08d}",
        "所属党组织": org,
        "党员类别": "正式党员",
        "入党日期": "2010-07-01",
        "转正日期": "2011-07-01",
        "流动状态": "在本地",
        "流动去向及联系方式": "",
        "出生年月": "",
        "备注": "",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def csv_bytes(rows, header=HEADER, bom=True) -> io.BytesIO:
    import csv

    text = io.StringIO()
    w = csv.writer(text)
    w.writerow(header)
    w.writerows(rows)
    return io.BytesIO((("\ufeff" if bom else "") + text.getvalue()).encode())


def counts() -> tuple[int, int, int]:
    """Persons, members and audit entries but for those of jobs queued (starting one is a write too)."""
    return (
        Person.objects.count(),
        PartyMember.objects.count(),
        AuditEntry.objects.exclude(action__startswith="job_").count(),
    )


def rejected(**kw) -> imports.MemberImportRejected:
    with pytest.raises(imports.MemberImportRejected) as exc:
        imports.member_import(**kw)
    return exc.value


# --- the format -----------------------------------------------------------------------------------


def test_columns_are_the_member_form_fields():
    """One row is one member of the form: a field added there must get its column here."""
    fields = {c.field for c in imports.COLUMNS} - {"birth_month"}  # checked against the ID number only
    assert fields == set(MemberForm.base_fields)
    assert fields == (set(services.PERSON_FIELDS) | set(services.MEMBER_FIELDS)) - {"area"}
    assert [c.header for c in imports.COLUMNS] == HEADER


# --- the happy paths ------------------------------------------------------------------------------


def test_csv_import_encrypts_masks_and_audits(world):
    before = counts()
    actor = world.users["township"]
    rows = [
        row(1, "一村党支部"),
        row(2, "二村党支部", 性别="女", 身份证号=pid(2, False)),
        row(
            3,
            "一村党支部/一村第1网格党小组",
            党员类别="预备党员",
            入党日期="2025/6/1",
            转正日期="",
            流动状态="外出流动",
            流动去向及联系方式="广东东莞，微信同号",
        ),
    ]
    result = imports.member_import(
        actor=actor, org=world.town_a_org, file=csv_bytes(rows), filename="名册.csv"
    )
    assert result.created == 3
    assert counts()[:2] == (before[0] + 3, before[1] + 3)
    members = {
        m.person.name: m
        for m in PartyMember.objects.select_related("person", "org").filter(person__name__startswith="导入")
    }
    assert {n: m.org for n, m in members.items()} == {
        "导入1": world.branch_a,
        "导入2": world.branch_a2,
        "导入3": world.group_a,
    }
    p = members["导入1"].person
    assert p.birth_date == dt.date(1960, 1, 2) and p.gender == "male" and p.education == "high_school"
    assert pid(1) not in p.id_number_ciphertext and crypto.decrypt(
        p.id_number_ciphertext, field="id_number"
    ) == pid(1)
    assert p.id_number_digest == crypto.digest(pid(1), field="id_number")
    assert p.id_number_tail_digest == crypto.digest(pid(1)[-4:], field="id_number_tail")
    assert p.id_number_masked == crypto.mask_id_number(pid(1)) and p.phone_masked == "139****0001"
    assert crypto.decrypt(p.phone_ciphertext, field="phone") == "13900000001"
    m3 = members["导入3"]
    assert (m3.status, m3.joined_on, m3.full_on, m3.mobility) == (
        "probationary",
        dt.date(2025, 6, 1),
        None,
        "outflow",
    )
    # one entry per member, where the member is, masked; one for the import
    for m in members.values():
        e = AuditEntry.objects.get(target_type="people.partymember", target_id=str(m.pk), action="create")
        assert e.org_path == m.org.path and e.actor == actor and e.changes["name"] == [None, m.person.name]
        assert e.changes["id_number"] == [None, m.person.id_number_masked]
        assert crypto.decrypt(m.person.id_number_ciphertext, field="id_number") not in json.dumps(e.changes)
    summary = AuditEntry.objects.get(action="import")
    assert summary.org_path == world.town_a_org.path and summary.changes["rows"] == [None, 3]
    dirty = set(RollupDirty.objects.values_list("org_path", flat=True))
    assert {world.branch_a.path, world.branch_a2.path, world.group_a.path} <= dirty  # the rollups above them
    assert counts()[2] >= before[2] + 4


def test_xlsx_import_reads_cells_as_excel_writes_them(world):
    """A title row above the header, a 序号 column, columns in another order, real date and number
    cells, a blank row, no organisation column (the rows go to the chosen branch)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["一村党员花名册"])
    ws.append(["序号", "姓名", "身份证号", "性别", "入党日期", "转正日期", "党员类别", "手机号", "民族"])
    ws.append(
        [1, "甲", pid(11), "男", dt.datetime(2001, 7, 1), dt.date(2002, 7, 1), "正式", 13900000011, "汉"]
    )
    ws.append([2, None, None, None, None, None, None, None, None])
    ws.append(
        [3, "乙", pid(12, False), "女", "2003年7月1日", "20040701", "正式党员", "139 0000 0012", "回族"]
    )
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    result = imports.member_import(
        actor=world.users["sec_a"], org=world.branch_a, file=buf, filename="a.xlsx"
    )
    assert result.created == 2
    a = PartyMember.objects.select_related("person").get(person__name="甲")
    b = PartyMember.objects.select_related("person").get(person__name="乙")
    assert a.org == world.branch_a and a.joined_on == dt.date(2001, 7, 1) and a.full_on == dt.date(2002, 7, 1)
    assert a.person.ethnicity == "汉族" and a.person.phone_masked == "139****0011"
    assert (
        b.person.ethnicity == "回族"
        and b.joined_on == dt.date(2003, 7, 1)
        and b.full_on == dt.date(2004, 7, 1)
    )


def test_template_round_trip(world, login):
    """The downloaded template, filled in as a user would (the example row of 说明), imports."""
    c = login(world.users["sec_a"])
    r = c.get(reverse("member_import_template"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert wb.sheetnames == ["党员名册", "说明"]
    sheet = wb["党员名册"]
    headers = [c.value for c in sheet[1]]
    assert [h.rstrip("*") for h in headers] == HEADER and "姓名*" in headers
    notes = [[c for c in r if c is not None] for r in wb["说明"].iter_rows(values_only=True)]
    example = notes[notes.index([h for h in HEADER]) + 1]
    assert "张三" in example
    sheet.append(
        [
            {"所属党组织": "一村党支部"}.get(h.rstrip("*"), v)
            for h, v in zip(headers, [*[c.example for c in imports.COLUMNS]], strict=True)
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    before = PartyMember.objects.count()
    imports.member_import(actor=world.users["sec_a"], org=world.branch_a, file=buf, filename="t.xlsx")
    assert PartyMember.objects.count() == before + 1
    example_id = next(c.example for c in imports.COLUMNS if c.field == "id_number")
    m = PartyMember.objects.get(person__id_number_digest=crypto.digest(example_id, field="id_number"))
    assert (m.person.name, m.org) == ("张三", world.branch_a)


# --- every bad row, and nothing written -----------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_written(world):
    bad_check = pid(22)[:17] + ("0" if pid(22)[17] != "0" else "1")
    rows = [
        row(21, "一村党支部"),  # 2: fine
        row(22, "一村党支部", 身份证号=bad_check),  # 3: check digit
        row(23, "一村党支部", 姓名="", 入党日期="去年"),  # 4: two problems
        row(24, "不存在党支部"),  # 5: unknown organisation
        row(25, "中共甲镇委员会"),  # 6: a committee holds no members
        row(26, "一村党支部", 党员类别="预备党员"),  # 7: probationary with 转正日期
        row(27, "一村党支部", 流动状态="外出流动"),  # 8: out-flow without where
        row(28, "一村党支部", 性别="女"),  # 9: gender against the ID
        row(29, "一村党支部", 身份证号="110105********0290"),  # 10: a masked number
        row(30, "一村党支部", 学历="博士后"),  # 11: unknown education
    ]
    before = counts()
    exc = rejected(
        actor=world.users["township"], org=world.town_a_org, file=csv_bytes(rows), filename="x.csv"
    )
    assert counts() == before
    got = [(e.row, e.column) for e in exc.rows]
    assert got == [
        (3, "身份证号"),
        (4, "姓名"),
        (4, "入党日期"),
        (5, "所属党组织"),
        (6, "所属党组织"),
        (7, "转正日期"),
        (8, "流动去向及联系方式"),
        (9, "性别"),
        (10, "身份证号"),
        (11, "学历"),
    ]
    assert exc.bad_rows == 9 and "9行有错误" in exc.errors["file"][0]
    by = {(e.row, e.column): e for e in exc.rows}
    assert "校验码" in by[3, "身份证号"].message
    assert by[3, "身份证号"].value == crypto.mask_id_number(bad_check)  # echoed masked
    assert by[4, "入党日期"].value == "去年" and "无法识别的日期" in by[4, "入党日期"].message
    assert "不存在党支部" in by[5, "所属党组织"].message
    assert "不能直接编入" in by[6, "所属党组织"].message  # the same rule and words as member_create
    assert "尚未转正" in by[7, "转正日期"].message
    assert "第17位" in by[9, "性别"].message
    assert "脱敏" in by[10, "身份证号"].message
    assert "未知学历" in by[11, "学历"].message and by[11, "学历"].value == "博士后"


def test_duplicate_id_numbers_in_the_file_and_in_the_database(world):
    taken = crypto.decrypt(world.member_a.person.id_number_ciphertext, field="id_number")
    rows = [
        row(31, "一村党支部"),
        row(32, "一村党支部", 身份证号=taken, 性别="男"),
        row(33, "一村党支部"),
        row(34, "一村党支部", 身份证号=pid(31).lower()),
        row(35, "一村党支部", 身份证号=pid(33, False), 性别="女"),
    ]
    before = counts()
    exc = rejected(actor=world.users["sec_a"], org=world.branch_a, file=csv_bytes(rows), filename="d.csv")
    assert counts() == before
    assert [(e.row, e.column) for e in exc.rows] == [(3, "身份证号"), (5, "身份证号"), (6, "身份证号")]
    assert "已登记在另一人名下" in exc.rows[0].message
    assert "与第2行重复" in exc.rows[1].message and "与第4行重复" in exc.rows[2].message


@pytest.mark.parametrize(
    "header,rows,text",
    [
        (["姓名", "性别", "党员类别"], [["a", "男", "正式党员"]], "缺少必填的列“入党日期”"),
        (HEADER + ["籍贯"], [row(41) + ["湖南"]], "无法识别的列“籍贯”"),
        (["名字", "x"], [["a", "b"]], "找不到表头"),
        (HEADER, [], "没有任何党员数据"),
        (HEADER + ["手机号"], [row(42) + ["1"]], "是同一列"),
    ],
)
def test_file_level_mistakes_are_one_message(world, header, rows, text):
    with pytest.raises(DomainError) as exc:
        imports.member_import(
            actor=world.users["sec_a"], org=world.branch_a, file=csv_bytes(rows, header=header)
        )
    assert not isinstance(exc.value, imports.MemberImportRejected)
    assert text in exc.value.errors["file"][0]


def test_committee_target_needs_the_organisation_column(world):
    header = [h for h in HEADER if h != "所属党组织"]
    rows = [[v for h, v in zip(HEADER, row(43), strict=True) if h != "所属党组织"]]
    with pytest.raises(DomainError) as exc:
        imports.member_import(
            actor=world.users["township"], org=world.town_a_org, file=csv_bytes(rows, header=header)
        )
    assert "所属党组织" in exc.value.errors["file"][0]


def test_unreadable_files(world):
    sec_a, org = world.users["sec_a"], world.branch_a
    with pytest.raises(DomainError, match="xls"):
        imports.member_import(
            actor=sec_a, org=org, file=io.BytesIO(b"\xd0\xcf\x11\xe0rest"), filename="a.xls"
        )
    with pytest.raises(DomainError, match="Excel"):
        imports.member_import(actor=sec_a, org=org, file=io.BytesIO(b"PK\x03\x04broken"), filename="a.xlsx")
    with pytest.raises(DomainError, match="请选择"):
        imports.member_import(actor=sec_a, org=org)
    gbk = csv_bytes([row(44, "一村党支部")], bom=False).getvalue().decode().encode("gb18030")
    assert (
        imports.member_import(actor=sec_a, org=org, file=io.BytesIO(gbk)).created == 1
    )  # Excel's 'CSV' on Windows


def test_numeric_id_cell_is_refused_with_the_reason(world):
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(
        [float(pid(45)) if h == "身份证号" else v for h, v in zip(HEADER, row(45, "一村党支部"), strict=True)]
    )
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    exc = rejected(actor=world.users["sec_a"], org=world.branch_a, file=buf, filename="n.xlsx")
    assert [(e.row, e.column) for e in exc.rows] == [(2, "身份证号")] and "文本" in exc.rows[0].message


def test_row_cap(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = [row(n, "一村党支部") for n in range(50, 54)]
    with pytest.raises(DomainError, match="上限3行"):
        imports.member_import(actor=world.users["sec_a"], org=world.branch_a, file=csv_bytes(rows))
    assert (
        imports.member_import(
            actor=world.users["sec_a"], org=world.branch_a, file=csv_bytes(rows[:3])
        ).created
        == 3
    )


def test_size_cap_refuses_the_upload_before_a_job_is_made(world, monkeypatch):
    from jiceng.core.models import Job

    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    rows = [row(n, "一村党支部") for n in range(60, 64)]
    with pytest.raises(DomainError, match="上限") as exc:
        imports.import_start(
            actor=world.users["sec_a"], org=world.branch_a, file=csv_bytes(rows), filename="a.csv"
        )
    assert exc.value.errors["file"] and not Job.objects.exists()


# --- scope ----------------------------------------------------------------------------------------


def test_target_outside_scope_and_rows_outside_the_subtree_are_refused(world):
    before = counts()
    with pytest.raises(DomainError) as exc:
        imports.member_import(actor=world.users["sec_a"], org=world.branch_b, file=csv_bytes([row(61)]))
    assert "org" in exc.value.errors and "管辖范围" in exc.value.errors["org"][0]
    # a row naming a branch outside the chosen subtree (B's, or A's sibling) is not found there
    exc = rejected(
        actor=world.users["sec_a"],
        org=world.branch_a,
        file=csv_bytes([row(62, "三社区党支部"), row(63, "二村党支部"), row(64, "一村第1网格党小组")]),
    )
    assert [(e.row, e.column) for e in exc.rows] == [(2, "所属党组织"), (3, "所属党组织")]
    assert counts() == before


def test_same_name_in_two_branches_needs_the_parent(world):
    from jiceng.core import services as core

    core.org_create(
        actor=world.users["county"],
        parent=world.branch_a2,
        name="一村第1网格党小组",
        kind="group",
        area=world.village_a2,
    )
    exc = rejected(
        actor=world.users["township"], org=world.town_a_org, file=csv_bytes([row(65, "一村第1网格党小组")])
    )
    assert "2个同名组织" in exc.rows[0].message
    imports.member_import(
        actor=world.users["township"],
        org=world.town_a_org,
        file=csv_bytes([row(65, "二村党支部／一村第1网格党小组")]),
    )
    assert PartyMember.objects.get(person__name="导入65").org.path.startswith(world.branch_a2.path)


def test_rule_overrides_apply_to_the_rows_they_reach(world):
    """The rule pack is asked once per organisation with an override on its path: 二村 admits at
    20 here, 一村 at the default 18."""
    from jiceng.core import services as core

    core.rule_override_set(
        actor=world.users["county"],
        org=world.branch_a2,
        key="people.min_member_age",
        value=20,
        valid_from=dt.date(2000, 1, 1),
        reason="测试",
    )
    young = {"入党日期": "1979-06-01", "转正日期": "1980-07-01"}  # born 1960-05-11: 19 when admitted
    exc = rejected(
        actor=world.users["township"],
        org=world.town_a_org,
        file=csv_bytes([row(131, "一村党支部", **young), row(131 + 1, "二村党支部", **young)]),
    )
    assert [(e.row, e.column) for e in exc.rows] == [(3, "入党日期")] and "年满20周岁" in exc.rows[0].message


# --- query count ----------------------------------------------------------------------------------


def test_queries_do_not_grow_with_the_rows(world, django_assert_max_num_queries):
    """Organisations, ID numbers and rules are looked up once for the file; only the batched
    INSERTs grow, by one per batch (SQLite binds at most 999 values a statement)."""
    actor, org = world.users["township"], world.town_a_org

    def run(first: int, n: int) -> list[str]:
        rows = [row(first + i, ("一村党支部", "二村党支部")[i % 2]) for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            assert imports.member_import(actor=actor, org=org, file=csv_bytes(rows)).created == n
        return [q["sql"] for q in ctx.captured_queries]

    run(900, 1)  # the actor's grants are loaded once per user object
    small, large = run(1000, 30), run(2000, 300)

    def lookups(sql):
        return [q for q in sql if not q.lstrip().upper().startswith("INSERT")]

    assert len(lookups(large)) == len(lookups(small)), lookups(large)
    with django_assert_max_num_queries(40):
        run(3000, 300)


# --- the page -------------------------------------------------------------------------------------


def test_page_queues_a_job_that_imports_and_shows_its_progress(world, login):
    c = login(world.users["sec_a"])
    listing = c.get(reverse("member_list"))
    assert reverse("member_import") in listing.text
    page = c.get(reverse("member_import"))
    assert page.status_code == 200 and reverse("member_import_template") in page.text
    offered = {v for v, _l in page.context["form"].fields["org"].widget.offered([])}
    assert offered == {"", world.branch_a.pk}  # a blank first: the target is chosen, never assumed
    upload = csv_bytes([row(71), row(72)])
    upload.name = "名册.csv"
    r = c.post(reverse("member_import"), {"org": world.branch_a.pk, "file": upload})
    job = Job.objects.get(owner=world.users["sec_a"])
    assert r.status_code == 302 and r["Location"] == reverse("job_detail", kwargs={"job_id": job.pk})
    assert job.status == "queued" and not PartyMember.objects.filter(person__name="导入71").exists()
    queued = c.get(r["Location"])
    assert 'hx-trigger="every 1s"' in queued.text and 'id="job-progress"' in queued.text
    assert jobs.run_queued() == 1
    done = c.get(r["Location"])
    assert "hx-trigger" not in done.text and "已导入 2 名党员" in done.text
    assert PartyMember.objects.filter(person__name__in=["导入71", "导入72"], org=world.branch_a).count() == 2
    # from htmx: the client is told where to go
    upload = csv_bytes([row(73)])
    upload.name = "b.csv"
    r = c.post(reverse("member_import"), {"org": world.branch_a.pk, "file": upload}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Redirect"].startswith("/jobs/")


def test_page_lists_every_bad_row(world, login):
    c = login(world.users["township"])
    page = c.get(reverse("member_import"))
    offered = {v for v, _l in page.context["form"].fields["org"].widget.offered([])}
    assert world.town_a_org.pk in offered and world.branch_b.pk not in offered
    before = counts()
    upload = csv_bytes([row(81, "一村党支部"), row(82, "一村党支部", 姓名=""), row(83, "无此支部")])
    upload.name = "bad.csv"
    r = c.post(reverse("member_import"), {"org": world.town_a_org.pk, "file": upload})
    jobs.run_queued()
    r = c.get(r["Location"])
    assert r.status_code == 200 and counts() == before
    assert 'id="job-problems"' in r.text and "姓名：必填" in r.text and "无此支部" in r.text
    assert [(e["row"], e["column"]) for e in r.context["problems"]] == [(3, "姓名"), (4, "所属党组织")]
    assert (
        r.context["job"].status == "failed" and 'id="job-retry"' in r.text and 'id="job-download"' in r.text
    )
    # a mistake of the file as a whole: one message on the file field, at once, and no job
    upload = csv_bytes([row(85) + ["x"]], header=HEADER + ["籍贯"])
    upload.name = "cols.csv"
    queued = Job.objects.count()
    r = c.post(reverse("member_import"), {"org": world.town_a_org.pk, "file": upload})
    assert r.status_code == 200 and 'data-field="file"' in r.text and "籍贯" in r.text
    assert Job.objects.count() == queued
    # B's branch as the target: an error on the field, nothing of B shown
    upload = csv_bytes([row(84)])
    upload.name = "c.csv"
    r = c.post(reverse("member_import"), {"org": world.branch_b.pk, "file": upload})
    assert r.status_code == 200 and 'data-field="org"' in r.text and "三社区" not in r.text
    assert counts() == before


def test_page_and_template_need_the_member_changing_right(world, login):
    for username in ("grid_a", "member", "nobody"):
        c = login(world.users[username])
        assert reverse("member_import") not in c.get(reverse("member_list")).text or username == "nobody"
        assert c.get(reverse("member_import")).status_code == 404
        assert c.get(reverse("member_import_template")).status_code == 404
        before = counts()
        upload = csv_bytes([row(91)])
        upload.name = "x.csv"
        assert c.post(reverse("member_import"), {"org": world.group_a.pk, "file": upload}).status_code == 404
        assert counts() == before
        c.logout()


# --- the API --------------------------------------------------------------------------------------


def bearer(user) -> dict[str, str]:
    _t, token = api_token_create(actor=user, name="import")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def api_upload(client, headers, org, rows, name="m.csv"):
    upload = csv_bytes(rows)
    upload.name = name
    data = {"file": upload} | ({"org": org} if org is not None else {})
    return client.post("/api/v1/members/import", data, **headers)


def test_api_imports(world, client):
    h = bearer(world.users["sec_a"])
    r = api_upload(client, h, world.branch_a.pk, [row(101), row(102, "一村第1网格党小组")])
    assert r.status_code == 202, r.content
    status_url = r.json()["status_url"]
    assert client.get(status_url, **h).json()["status"] == "queued"
    jobs.run_queued()
    body = client.get(status_url, **h).json()
    assert body["status"] == "succeeded" and body["result"] == {"created": 2}
    assert PartyMember.objects.get(person__name="导入102").org == world.group_a
    # only its owner sees a job
    assert client.get(status_url, **bearer(world.users["township"])).status_code == 404


def test_api_lists_every_bad_row(world, client):
    h = bearer(world.users["sec_a"])
    before = counts()
    r = api_upload(client, h, world.branch_a.pk, [row(111), row(112, 性别="女"), row(113, 入党日期="")])
    assert r.status_code == 202
    jobs.run_queued()
    body = client.get(r.json()["status_url"], **h).json()
    assert counts() == before and body["status"] == "failed" and "2行有错误" in body["message"]
    assert body["result"]["bad_rows"] == 2 and body["result"]["error_count"] == 2
    assert [(e["row"], e["column"]) for e in body["result"]["rows"]] == [(3, "性别"), (4, "入党日期")]
    assert "必填" in body["result"]["rows"][1]["message"]
    errors = client.get(body["result_url"], **h)
    assert errors.status_code == 200 and errors["Content-Disposition"].startswith("attachment")


def test_api_refuses_out_of_scope_and_unentitled_callers(world, client):
    h = bearer(world.users["sec_a"])
    others = {u: bearer(world.users[u]) for u in ("grid_a", "member", "nobody")}
    before = counts()
    for org in (world.branch_b.pk, 2_000_000_000, None):
        r = api_upload(client, h, org, [row(121)])
        assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["org"], r.content
        assert "三社区" not in r.text
    r = client.post("/api/v1/members/import", {"org": world.branch_a.pk}, **h)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "file"
    for username in ("grid_a", "member", "nobody"):
        r = api_upload(client, others[username], world.group_a.pk, [row(122)])
        assert r.status_code == 404, (username, r.content)
    assert api_upload(client, {}, world.branch_a.pk, [row(123)]).status_code == 401
    assert counts() == before


# --- core.audit.record_many -----------------------------------------------------------------------


def test_record_many_writes_what_record_writes(world):
    actor = world.users["county"]
    m1, m2 = world.member_a, world.member_b
    one = audit.record(actor=actor, action="update", target=m1, org_path="ZZ01", changes={"x": [1, 2]})
    assert (
        audit.record_many(
            actor=actor,
            action="update",
            batch_size=1,
            entries=[(m1, "ZZ01", {"x": [1, 2]}), (m2, "ZZ02", {})],
        )
        == 2
    )
    many = list(AuditEntry.objects.filter(pk__gt=one.pk).order_by("pk"))
    fields = (
        "actor_id",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "org_path",
        "changes",
    )
    assert [getattr(many[0], f) for f in fields] == [getattr(one, f) for f in fields]
    assert (many[1].target_id, many[1].target_repr, many[1].org_path) == (str(m2.pk), "王五", "ZZ02")
    # the rollups learn of the writes once per organisation, as record tells them of each write
    assert sorted(
        RollupDirty.objects.filter(org_path__in=["ZZ01", "ZZ02"]).values_list("org_path", flat=True)
    ) == ["ZZ01", "ZZ01", "ZZ02"]
    dirty = RollupDirty.objects.count()
    assert audit.record_many(actor=actor, action="export", entries=[(m1, "ZZ03", {})]) == 1
    assert audit.record_many(actor=None, action="create", entries=[]) == 0
    assert RollupDirty.objects.count() == dirty  # a read changes no figure


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the registration lock is PostgreSQL's; SQLite (the demo database) keeps the window",
)
def test_a_person_registered_between_check_and_write_stops_the_whole_import(world):
    """A double-submitted file: the second request checked its rows before the first wrote them.
    Writing re-checks under the registration lock, and nothing of it is stored."""
    actor = world.users["township"]
    rows = [row(41, "一村党支部"), row(42, "二村党支部", 性别="女", 身份证号=pid(42, False))]
    _header, columns, data = imports._table(imports.read_cells(csv_bytes(rows), "名册.csv"))
    clean = imports._check_rows(actor, world.town_a_org, columns, data)
    imports.member_import(actor=actor, org=world.town_a_org, file=csv_bytes(rows[1:]), filename="先到.csv")
    before = counts()
    with pytest.raises(DomainError) as exc:
        imports._write(actor, world.town_a_org, clean, "后到.csv", lambda *a, **kw: None, len(clean))
    assert exc.value.as_list()[0]["field"] == "file" and "重复提交" in exc.value.as_list()[0]["message"]
    assert counts() == before


# --- rosters as villages keep them -----------------------------------------------------------------


def _xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_a_village_roster_is_read_as_villages_keep_it(world):
    """Title rows, a two-row merged header, 出生年月 as a year-month (1977.1 is a cell typed
    1977.10), 外出地点 making the member out-flowing, 备注 kept, full-width digits, an Excel
    serial date, totals and signature lines skipped, an unknown column ignored once confirmed."""
    n1 = make_id(dt.date(1977, 10, 3), True, 9)
    n2 = make_id(dt.date(1980, 4, 9), False, 7)
    n3 = make_id(dt.date(1990, 1, 20), True, 8)
    full_width = n2.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [
        ["一村党员花名册（2026年）"],
        ["填报单位：一村党支部"],
        [
            "序号",
            "姓名",
            "性别",
            "身份证号",
            "出生年月",
            "入党时间",
            "转正时间",
            "党员类别",
            "流动情况",
            None,
            "备注",
            "家庭住址",
        ],
        [None, None, None, None, None, None, None, None, "是否外出", "外出地点", None, None],
        [
            1,
            "赵大",
            "男",
            n1,
            1977.1,
            "2001.07.01",
            "2002.07.01",
            "正式党员",
            None,
            "广东省东莞市 13800000001",
            "老党员",
            "一组",
        ],
        [
            2,
            "钱二",
            "女",
            full_width,
            "1980年4月",
            37073,
            "２００２－０７－０１",
            "正式党员",
            "否",
            None,
            None,
            "二组",
        ],
        [
            3,
            "孙三",
            "男",
            n3,
            "1990.01",
            "2015-07-01",
            "2016-07-01",
            "正式党员",
            "在本地",
            None,
            None,
            "三组",
        ],
        [None, "合计", "3人", None, None, None, None, None, None, None, None, None],
        ["填表人：李四", None, None, None, None, None, None, None, None, None, None, "审核人：王五"],
    ]
    with pytest.raises(DomainError, match="家庭住址"):
        imports.member_import(
            actor=world.users["sec_a"], org=world.branch_a, file=_xlsx(rows), filename="r.xlsx"
        )
    assert not Person.objects.filter(name="赵大").exists()
    result = imports.member_import(
        actor=world.users["sec_a"],
        org=world.branch_a,
        file=_xlsx(rows),
        filename="r.xlsx",
        ignore_unknown=True,
    )
    assert result.created == 3
    zhao = PartyMember.objects.select_related("person").get(person__name="赵大")
    assert zhao.mobility == "outflow" and zhao.mobility_note == "广东省东莞市 13800000001"
    assert zhao.remarks == "老党员" and zhao.joined_on == dt.date(2001, 7, 1)
    qian = PartyMember.objects.select_related("person").get(person__name="钱二")
    assert qian.person.birth_date == dt.date(1980, 4, 9) and qian.mobility == "none"
    assert qian.joined_on == dt.date(2001, 7, 1)  # Excel serial 37073
    assert qian.full_on == dt.date(2002, 7, 1)  # full-width digits
    assert qian.person.id_number_digest == crypto.digest(n2, field="id_number")
    assert not Person.objects.filter(name__in=["合计", "填表人：李四"]).exists()


def test_a_birth_month_that_disagrees_with_the_id_number_is_a_row_error(world):
    number = make_id(dt.date(1977, 10, 3), True, 9)
    rows = [
        ["姓名", "性别", "身份证号", "出生年月", "入党日期", "转正日期", "党员类别"],
        ["赵大", "男", number, 1977.01, "2001-07-01", "2002-07-01", "正式党员"],  # typed 1977.01: January
        ["钱二", "男", pid(5), "1977年13月", "2001-07-01", "2002-07-01", "正式党员"],
    ]
    exc = rejected(actor=world.users["sec_a"], org=world.branch_a, file=_xlsx(rows), filename="r.xlsx")
    messages = [(e.row, e.column, e.message) for e in exc.rows]
    assert (2, "出生年月", "出生年月：1977年1月与身份证号中的出生年月（1977年10月）不一致。") in messages
    assert any(r == 3 and c == "出生年月" and "无法识别" in m for r, c, m in messages)
    assert not Person.objects.filter(name__in=["赵大", "钱二"]).exists()


def test_control_characters_and_over_long_cells_are_row_errors(world):
    header = ["姓名", "性别", "身份证号", "入党日期", "转正日期", "党员类别", "备注"]
    rows = [
        [
            "赵\x01大",
            "男",
            pid(21),
            "2001-07-01",
            "2002-07-01",
            "正式党员",
            "",
        ],  # openpyxl would refuse it: CSV
        ["钱二", "男", pid(22), "2001-07-01", "2002-07-01", "正式党员", "长" * 501],
    ]
    exc = rejected(
        actor=world.users["sec_a"], org=world.branch_a, file=csv_bytes(rows, header), filename="r.csv"
    )
    found = {(e.row, e.column) for e in exc.rows}
    assert (2, "姓名") in found and (3, "备注") in found


def test_unusual_names_and_full_width_numbers_round_trip(world, client):
    """Imported (a CJK Extension B name, one with "·", a full-width ID number), then stored, shown,
    searched and exported exactly; the same file again is refused as the same people."""
    number = make_id(dt.date(1975, 5, 6), True, 31)
    wide = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [row(901, 姓名="𠀀𠮷花", 身份证号=wide), row(902, 姓名="买买提·艾力")]
    result = imports.member_import(
        actor=world.users["sec_a"], org=world.branch_a, file=csv_bytes(rows), filename="r.csv"
    )
    assert result.created == 2
    ext_b = Person.objects.get(name="𠀀𠮷花")
    assert ext_b.id_number_digest == crypto.digest(number, field="id_number")
    assert crypto.decrypt(ext_b.id_number_ciphertext, field="id_number") == number
    assert Person.objects.filter(name="买买提·艾力").exists()
    client.force_login(world.users["county"])
    page = client.get(reverse("member_list"), {"q": "买买提"}).content.decode()
    assert "买买提·艾力" in page
    r = client.get("/ledgers/people.members/", {"format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    names = {row[0].value for row in book.worksheets[0].iter_rows()}
    assert {"𠀀𠮷花", "买买提·艾力"} <= names
    exc = rejected(actor=world.users["sec_a"], org=world.branch_a, file=csv_bytes(rows), filename="r.csv")
    assert any(e.column == "身份证号" and "已登记" in e.message for e in exc.rows)
