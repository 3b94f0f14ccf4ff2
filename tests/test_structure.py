"""The code's shape, checked on its syntax trees: app boundaries and thin views.

* Core imports no domain app (it finds them through their plugins, core.kit).
* A domain app reads another app only through that app's ``selectors``, ``queries`` or ``services``:
  never its models (but for a foreign key in ``models.py``), views, forms, plugin or private names.
* No ORM query in a ``views.py`` or ``api.py``: they parse, call a selector or a service, render.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jiceng

ROOT = Path(jiceng.__file__).resolve().parent
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists())
PUBLIC = {"selectors", "queries", "services"}
# Querying calls: on a manager or queryset these run (or build) SQL.
QUERY_METHODS = {
    "filter",
    "exclude",
    "annotate",
    "aggregate",
    "values",
    "values_list",
    "order_by",
    "select_related",
    "prefetch_related",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "raw",
    "extra",
    "only",
    "defer",
    "distinct",
    "exists",
    "iterator",
    "in_bulk",
    "select_for_update",
}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2 or "migrations" in rel.parts or rel.parts[0] not in APPS:
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(tree: ast.AST):
    """(line, module, names) of every import, nested ones included; ``import a.b`` gives (a.b, [])."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name, []


def crossings() -> list[str]:
    out = []
    for rel, tree in _modules():
        app = rel.parts[0]
        for line, module, names in _imports(tree):
            parts = module.split(".")
            if parts[0] != "jiceng" or len(parts) < 2 or parts[1] == app or parts[1] not in APPS:
                continue
            other = parts[1]
            where = f"{rel}:{line} imports {module} {names or ''}".rstrip()
            if app == "core":
                out.append(f"{where} (core imports no domain app)")
                continue
            if other == "core":
                continue
            sub = parts[2] if len(parts) > 2 else None
            if sub is None:  # from jiceng.people import selectors, queries
                bad = [n for n in names if n not in PUBLIC]
                if bad or not names:
                    out.append(f"{where} (only selectors, queries or services)")
            elif sub == "models" and rel.name == "models.py":
                continue  # a foreign key may name another app's model
            elif sub not in PUBLIC or any(n.startswith("_") for n in names):
                out.append(f"{where} (only selectors, queries or services, never private names)")
    return out


def test_apps_cross_only_through_selectors_queries_and_services():
    found = crossings()
    assert not found, "Imports across app boundaries:\n" + "\n".join(found)


def test_the_boundary_check_can_fail(tmp_path):
    """The check itself finds a crossing when there is one (modules written to temporary apps)."""
    global ROOT, APPS
    fake = tmp_path / "jiceng"
    for app, body in (
        ("core", "from jiceng.people.models import Person\n"),
        ("people", ""),
        (
            "orglife",
            "from jiceng.people.views import member_list\n"
            "from jiceng.people.selectors import _private\n"
            "from jiceng.people import selectors, models\n",
        ),
    ):
        (fake / app).mkdir(parents=True)
        (fake / app / "apps.py").write_text("")
        (fake / app / "mod.py").write_text(body)
    old_root, old_apps = ROOT, APPS
    ROOT, APPS = fake, ["core", "orglife", "people"]
    try:
        found = crossings()
    finally:
        ROOT, APPS = old_root, old_apps
    assert len(found) == 4, found


# Calls that run SQL on a queryset but share their name with dict, list or str methods: told apart
# by their arguments (qs.get(pk=1) but d.get("k"); qs.count() but s.count("x"); m.measures.all()).
NO_ARGUMENT_QUERIES = {"all", "count", "first", "last", "delete", "exists"}
KEYWORD_QUERIES = {"get", "create", "update", "latest", "earliest"}


def _runs_a_query(node: ast.Call) -> bool:
    name = node.func.attr  # type: ignore[attr-defined]
    if name in NO_ARGUMENT_QUERIES:
        return not node.args and not node.keywords
    if name in KEYWORD_QUERIES:
        return bool(node.keywords) or name in ("latest", "earliest")
    return False


def _query_calls(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    # @router.get("/path", response=…) declares a route, it runs no query
    decorators = {
        id(d)
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        for d in n.decorator_list
    }
    for node in ast.walk(tree):
        if id(node) in decorators:
            continue
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append((node.lineno, "Model.objects"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
        ):
            if node.func.attr == "values" and not node.args and not node.keywords:
                continue  # dict.values()
            found.append((node.lineno, f".{node.func.attr}()"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _runs_a_query(node):
            found.append((node.lineno, f".{node.func.attr}()"))
    return found


def test_no_orm_query_in_views_or_api():
    found = [
        f"{rel}:{line} {what}"
        for rel, tree in _modules()
        if rel.name in ("views.py", "api.py")
        for line, what in _query_calls(tree)
    ]
    assert not found, (
        "Queries in views or API functions (move them into a selector or service):\n" + "\n".join(found)
    )


def test_the_query_check_can_fail():
    tree = ast.parse(
        "def v(request):\n    return Meeting.objects.filter(org=1)\n\ndef w(qs):\n    return qs.order_by('x')\n"
        "def x(plan, qs, d, request):\n"
        "    plan.measures.all(); qs.count(); qs.get(pk=1); qs.first()\n"
        "    d.get('k'); request.GET.get('page'); 'abc'.count('a'); d.update({'a': 1})\n"
    )
    assert sorted(what for _line, what in _query_calls(tree)) == [
        ".all()",
        ".count()",
        ".filter()",
        ".first()",
        ".get()",
        ".order_by()",
        "Model.objects",
    ]
