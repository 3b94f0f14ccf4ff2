"""The zh_Hans catalogue is complete, compiled, and Chinese is the default interface language."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """A tiny .po reader: enough for what makemessages writes (obsolete ``#~`` entries skipped)."""
    entries: list[Entry] = []
    cur: Entry | None = None
    target: tuple[str, int | None] | None = None  # which field the continuation strings extend

    def flush():
        nonlocal cur
        if cur is not None and cur.msgstr:  # a comment block with no message is not an entry
            entries.append(cur)
        cur = None

    def append(entry: Entry, where: tuple[str, int | None], text: str):
        name, index = where
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            target = None
            continue
        if line.startswith("#"):
            if cur is not None and cur.msgstr:  # comments start the next entry
                flush()
            if line.startswith("#,"):
                cur = cur or Entry(line=lineno)
                cur.flags.update(f.strip() for f in line[2:].split(","))
            elif not line.startswith("#~"):
                cur = cur or Entry(line=lineno)
            target = None
            continue
        if line.startswith('"'):
            assert cur is not None and target is not None, f"{path}:{lineno}: stray string"
            append(cur, target, ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        if cur is not None and cur.msgstr and keyword in ("msgctxt", "msgid"):
            flush()
        cur = cur or Entry(line=lineno)
        if keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]))
        elif keyword == "msgstr":
            target = ("msgstr", 0)
        elif keyword in ("msgid", "msgid_plural", "msgctxt"):
            target = (keyword, None)
        else:
            raise AssertionError(f"{path}:{lineno}: unexpected {keyword!r}")
        append(cur, target, ast.literal_eval(rest))
    flush()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO.exists(), f"missing catalogue {PO}"
    return parse_po(PO)


def test_header(po_entries):
    header = po_entries[0]
    assert header.msgid == "" and header.msgctxt is None
    assert "fuzzy" not in header.flags
    assert "Language: zh_Hans\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]


def test_every_entry_is_translated(po_entries):
    messages = po_entries[1:]
    assert len(messages) > 100
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    empty = [e.msgid for e in messages if not e.msgstr.get(0, "").strip()]
    assert not empty, f"untranslated entries: {empty}"
    extra_forms = [e.msgid for e in messages if set(e.msgstr) - {0}]
    assert not extra_forms, f"Chinese has one plural form, fill msgstr[0] only: {extra_forms}"


def test_placeholders_are_kept(po_entries):
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for e in po_entries[1:]:
        source = set(placeholder.findall(e.msgid)) | set(placeholder.findall(e.msgid_plural or ""))
        assert set(placeholder.findall(e.msgstr[0])) == source, e.msgid


def test_mo_is_up_to_date(po_entries):
    assert MO.exists(), "run: django-admin compilemessages -l zh_Hans"
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    for msgid in ("Log in", "Party members", "party committee"):
        assert mo.gettext(msgid) != msgid
    for e in po_entries[1:]:
        if e.msgid_plural is not None:
            for n in (1, 2, 5):
                got = (
                    mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt
                    else mo.ngettext(e.msgid, e.msgid_plural, n)
                )
                assert got == e.msgstr[0], f"stale .mo for {e.msgid!r}"
        else:
            got = mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt else mo.gettext(e.msgid)
            assert got == e.msgstr[0], f"stale .mo for {e.msgid!r}"


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "登录" in text
    assert "Log in" not in text

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Log in" in text
    assert "登录" not in text


SRC = Path(settings.BASE_DIR)
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}
BLOCK_STRING = re.compile(
    r"{%\s*blocktrans(?:late)?(?P<args>[^%]*)%}(?P<body>.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
TEMPLATE_STRING = re.compile(
    r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')(?:\s+context\s+"([^"]*)")?"""
)


def marked_strings() -> list[tuple[str, str]]:
    """(where, msgid) of every literal marked for translation in the sources the catalogue covers
    (Python calls of _/gettext/gettext_lazy, {% translate "…" %} and {% blocktranslate %} bodies
    in templates): what
    makemessages would extract, read without gettext so the check runs everywhere."""
    out = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[-1], ast.Constant)
                and isinstance(node.args[-1].value, str)
            ):
                out.append((f"{path.relative_to(SRC)}:{node.lineno}", node.args[-1].value))
    for path in SRC.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), start=1):
            for m in TEMPLATE_STRING.finditer(line):
                out.append((f"{path.relative_to(SRC)}:{n}", m[1] if m[1] is not None else m[2]))
        for m in BLOCK_STRING.finditer(text):
            body = m["body"]
            if "{% plural" in body:
                continue  # plural forms: the singular and plural msgids are checked by makemessages
            msgid = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body.replace("%", "%%"))
            if "trimmed" in m["args"]:
                msgid = " ".join(part.strip() for part in msgid.splitlines() if part.strip())
            out.append((f"{path.relative_to(SRC)}:{text[: m.start()].count(chr(10)) + 1}", msgid))
    return out


def test_every_marked_string_is_in_the_catalogue(po_entries):
    """A string marked for translation after the last `make messages` shows in English: run it."""
    known = {e.msgid for e in po_entries}
    marked = marked_strings()
    assert len(marked) > 200
    missing = sorted({f"{where}: {msgid!r}" for where, msgid in marked if msgid not in known})
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)
