"""The platform kit: how an app plugs in (docs/adding-an-app.md).

Every app — core included — declares what the rest of the platform needs to know about it in one
object, ``PLUGIN``, in its own ``plugin.py``: its permissions and the roles that get them, the roles
it introduces, its rule-pack entries with their validators and sources, its audit labels, its
dashboard panels and headline figures, its navigation entries, its URL mounts and API router, its
ledgers, its workflows, its demo and generator steps and its authorisation-matrix cases. Core finds
them through INSTALLED_APPS and never imports a domain app: adding an app is a folder and one line
in ``INSTALLED_APPS``.

Anything that names code (a router, a URL module, a demo step) is a dotted path, imported when it is
first used, so that declaring an app imports nothing of it but ``plugin.py``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


class RuleValueError(ValueError):
    """Raised by a rule's validator: the message says what the value should be (in Chinese)."""


@dataclass(frozen=True)
class Permission:
    """A right an app introduces; ``roles`` are the role codes that hold it."""

    code: str
    label: Any
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleDef:
    """A role users are granted on an org node; it reaches the node's subtree. ``perms``: the
    permissions declared elsewhere that this role holds (a Permission may also name the role)."""

    code: str
    label: Any
    perms: tuple[str, ...] = ()
    order: int = 100


FIELD_TYPES = frozenset({"int", "number", "percent", "bool", "date", "text", "code", "choice", "choices"})
SHAPE_KINDS = frozenset({"scalar", "record", "rows"})


@dataclass(frozen=True)
class RuleField:
    """One part of a rule's value, as the rule page shows it in words and edits it in a form
    (docs/rule-packs.md). ``type``: int, number, percent (stored as a share, 0.10 for 10%), bool,
    date (ISO text), text, code (a row's internal identifier: never shown in words, made up when
    left blank), choice (one of ``choices``: (stored code, Chinese label)) or choices (a list of
    them). ``optional``: may be left blank, stored as null (an open end of a band); ``blank`` is how
    that reads ("不限"; nothing said when empty)."""

    key: str
    label: str
    type: str = "int"
    unit: str = ""
    choices: tuple[tuple[Any, Any], ...] = ()
    optional: bool = False
    blank: str = ""


@dataclass(frozen=True)
class Shape:
    """How a rule's value is built. ``scalar``: one value (``fields[0]``); ``record``: a dict with
    one entry per field; ``rows``: a list of dicts, one per row — or, with ``keyed_by``, a dict
    {row[keyed_by]: the rest of the row}, or, with ``grouped_by``, a dict {row[grouped_by]: [the
    rest of its rows, in order]}. ``words``: a record or row in words, as a format string over its
    fields' words ("{kind}：每{every_months}{count}"); without it, "label value" parts. Build one
    with ``scalar()``, ``record()`` or ``rows()``."""

    kind: str
    fields: tuple[RuleField, ...]
    keyed_by: str = ""
    grouped_by: str = ""
    words: str = ""

    def __post_init__(self) -> None:
        keys = [f.key for f in self.fields]
        if self.kind not in SHAPE_KINDS or not self.fields or len(set(keys)) != len(keys):
            raise ValueError(f"shape {self.kind!r}: kind one of {sorted(SHAPE_KINDS)}, fields unique")
        for f in self.fields:
            if f.type not in FIELD_TYPES or (f.type in ("choice", "choices")) != bool(f.choices):
                raise ValueError(f"field {f.key!r}: type one of {sorted(FIELD_TYPES)}, choices iff a choice")
        by = self.keyed_by or self.grouped_by
        if by and (self.kind != "rows" or (self.keyed_by and self.grouped_by) or by not in keys):
            raise ValueError(f"shape: {by!r} must be one field of rows, keyed or grouped, not both")


def scalar(type: str = "int", *, unit: str = "", choices: tuple[tuple[Any, Any], ...] = ()) -> Shape:
    """A rule whose value is one number, choice, list of choices, date…"""
    return Shape("scalar", (RuleField("", "", type=type, unit=unit, choices=choices),))


def record(*fields: RuleField, words: str = "") -> Shape:
    """A rule whose value is a dict with these keys ({"min": 3, "max": 7})."""
    return Shape("record", fields, words=words)


def rows(*fields: RuleField, keyed_by: str = "", grouped_by: str = "", words: str = "") -> Shape:
    """A rule whose value is a table: a list of records, or a dict of them (``keyed_by``,
    ``grouped_by``)."""
    return Shape("rows", fields, keyed_by=keyed_by, grouped_by=grouped_by, words=words)


@dataclass(frozen=True)
class Rule:
    """One entry of the default rule pack: a national rule (or common local practice, ``local``)
    with its source. ``validate(value)`` raises RuleValueError for an override that does not fit.
    ``shape``: how the value reads in words and is entered in the override form; a rule without
    one is shown and entered as JSON."""

    key: str
    value: Any
    label: str
    source: str
    local: bool = False
    validate: Callable[[Any], None] | None = None
    shape: Shape | None = None


@dataclass(frozen=True)
class Panel:
    """A dashboard chart of a breakdown indicator; ``compare``: its total is also a column of the
    child-unit table (see Headline)."""

    indicator: str
    chart: str = "bar"  # bar | pie
    order: int = 100
    compare: bool = False


@dataclass(frozen=True)
class Headline:
    """A headline figure (count or rate) on the dashboard; ``compare``: also a column of the table
    that sets a committee's child units side by side on its home page."""

    indicator: str
    order: int = 100
    compare: bool = False


@dataclass(frozen=True)
class NavItem:
    """A main-menu entry, shown to users who hold ``perm`` somewhere (and, when ``roles`` is set,
    through one of those roles: a member's menu is not a secretary's)."""

    label: Any
    url_name: str
    perm: str
    order: int = 100
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class HomeSection:
    """A section of the home page, shown once per grant whose role is in ``roles``. ``fn`` (dotted
    path) is called as ``fn(actor, org, today)`` with the grant's organisation and returns the
    template's context, or None when it has nothing to show; ``template`` renders it. The later apps
    add their own work items (transfers to confirm, cases waiting) this way."""

    key: str
    roles: tuple[str, ...]
    fn: str
    template: str
    order: int = 100


@dataclass(frozen=True)
class Urls:
    """URL patterns mounted under ``prefix`` ("" or "orglife/"), from a module with ``urlpatterns``."""

    prefix: str
    module: str


@dataclass(frozen=True)
class Step:
    """A demo or generator step: ``fn`` (dotted path) is called with the shared context, in
    ``order`` across every app (the tree first, then people, then what hangs off them)."""

    fn: str
    order: int = 100


@dataclass(frozen=True)
class AppPlugin:
    label: str
    permissions: tuple[Permission, ...] = ()
    roles: tuple[RoleDef, ...] = ()
    rules: tuple[Rule, ...] = ()
    audit_actions: dict[str, Any] = field(default_factory=dict)  # action code -> label
    audit_fields: dict[str, Any] = field(default_factory=dict)  # changed field -> label
    panels: tuple[Panel, ...] = ()
    headlines: tuple[Headline, ...] = ()
    nav: tuple[NavItem, ...] = ()
    home: tuple[HomeSection, ...] = ()
    urls: tuple[Urls, ...] = ()
    # pages read without an account, mounted under /public/: their module holds its own selectors,
    # which return no model and no personal data (core/public.py, tests/test_public_pages.py)
    public: tuple[Urls, ...] = ()
    api: str | None = None  # "jiceng.people.api.router"
    indicators: str | None = None  # module that registers the app's indicators on import
    ledgers: str | None = None  # module that declares the app's ledgers (core.ledgers) on import
    workflows: str | None = None  # module that declares the app's workflows (core.workflows) on import
    jobs: str | None = None  # module that declares the app's job kinds (core.jobs) on import
    demo: tuple[Step, ...] = ()
    gen: tuple[Step, ...] = ()
    authz: str | None = None  # module with the app's authorisation-matrix cases (tests/test_authz_matrix.py)
    # function (org, on_date) -> the reason (Chinese) why records of ``org`` dated ``on_date`` are
    # locked, or None: grading locks a year's organisational life once its grades are confirmed
    period_locks: str | None = None
    # functions (dotted paths, no arguments) the background worker calls about once a minute:
    # time-driven steps no user takes (a resolved request nobody rated closes by itself)
    periodic: tuple[str, ...] = ()
    # (username, what the log-in is for) of the log-ins the app's demo step makes; `make run`'s
    # banner lists them after core's
    demo_logins: tuple[tuple[str, str], ...] = ()


# --- discovery -------------------------------------------------------------------------------------


@functools.cache
def plugins() -> tuple[AppPlugin, ...]:
    """Every installed app's plugin, in INSTALLED_APPS order; an app without ``plugin.py`` declares
    nothing. The declarations' own modules (indicators, ledgers, workflows) are imported here, once."""
    found: list[AppPlugin] = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.plugin")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.plugin":
                raise
            continue
        plugin = module.PLUGIN
        if not isinstance(plugin, AppPlugin):
            raise TypeError(f"{config.name}.plugin.PLUGIN is not an AppPlugin")
        found.append(plugin)
    _check(found)
    for plugin in found:
        for mod in (plugin.indicators, plugin.ledgers, plugin.workflows, plugin.jobs):
            if mod:
                importlib.import_module(mod)
    _check_figures(found)
    return tuple(found)


def _check_figures(found: list[AppPlugin]) -> None:
    """A panel or headline names an indicator some installed app registers (a typo would be a
    missing chart on every dashboard, found by no one)."""
    from .indicators import _DECLARED

    known = {name for name, ind in _DECLARED.items() if in_installed_app(ind.compute.__module__)}
    for p in found:
        for name in [x.indicator for x in p.panels] + [x.indicator for x in p.headlines]:
            if name not in known:
                raise ValueError(f"{p.label}: panel or headline {name!r} names no registered indicator")


def _check(found: list[AppPlugin]) -> None:
    """Two apps may not claim the same name for different things."""
    seen: dict[str, dict[str, str]] = {"permission": {}, "role": {}, "rule": {}, "label": {}}
    for p in found:
        for kind, names in (
            ("label", [p.label]),
            ("permission", [x.code for x in p.permissions]),
            ("role", [x.code for x in p.roles]),
            ("rule", [x.key for x in p.rules]),
        ):
            for name in names:
                if name in seen[kind]:
                    raise ValueError(f"{kind} {name!r} declared by both {seen[kind][name]} and {p.label}")
                seen[kind][name] = p.label
    labels: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, code) -> (label, app)
    for p in found:
        for kind, table in (("audit action", p.audit_actions), ("audit field", p.audit_fields)):
            for code, label in table.items():
                earlier = labels.setdefault((kind, code), (str(label), p.label))
                if earlier[0] != str(label):
                    raise ValueError(
                        f"{kind} {code!r} labelled {earlier[0]!r} by {earlier[1]} and {str(label)!r} by {p.label}"
                    )


def in_installed_app(module: str) -> bool:
    """Whether code of ``module`` belongs to an installed app (registries forget what a removed app
    declared: its module may stay imported, its entries must not stay visible)."""
    return any(module == c.name or module.startswith(c.name + ".") for c in apps.get_app_configs())


def reset() -> None:
    """Forget what was discovered (INSTALLED_APPS changed, in a test)."""
    for fn in (plugins, permissions, roles, role_perms, rules):
        fn.cache_clear()


@receiver(setting_changed)
def _installed_apps_changed(sender, setting, **kwargs) -> None:
    if setting == "INSTALLED_APPS":
        reset()


# --- what the declarations add up to -------------------------------------------------------------


@functools.cache
def permissions() -> dict[str, Permission]:
    return {perm.code: perm for p in plugins() for perm in p.permissions}


@functools.cache
def roles() -> dict[str, RoleDef]:
    return {r.code: r for r in sorted((r for p in plugins() for r in p.roles), key=lambda r: r.order)}


@functools.cache
def role_perms() -> dict[str, frozenset[str]]:
    """role code -> the permissions it holds: those a role names, and those that name the role."""
    known = permissions()
    out: dict[str, set[str]] = {code: set(r.perms) for code, r in roles().items()}
    for perm in known.values():
        for role in perm.roles:
            if role not in out:
                raise ValueError(f"permission {perm.code!r} names unknown role {role!r}")
            out[role].add(perm.code)
    for role, perms in out.items():
        if unknown := perms - set(known):
            raise ValueError(f"role {role!r} holds undeclared permissions {sorted(unknown)}")
    return {role: frozenset(perms) for role, perms in out.items()}


def role_choices() -> list[tuple[str, Any]]:
    """Choices of RoleAssignment.role: every declared role."""
    return [(r.code, r.label) for r in roles().values()]


@functools.cache
def rules() -> dict[str, Rule]:
    return {r.key: r for p in plugins() for r in p.rules}


def action_labels() -> dict[str, Any]:
    return {code: label for p in plugins() for code, label in p.audit_actions.items()}


def field_labels() -> dict[str, Any]:
    return {name: label for p in plugins() for name, label in p.audit_fields.items()}


def panels() -> list[Panel]:
    return sorted((x for p in plugins() for x in p.panels), key=lambda x: x.order)


def headlines() -> list[Headline]:
    return sorted((x for p in plugins() for x in p.headlines), key=lambda x: x.order)


def nav_items() -> list[NavItem]:
    return sorted((x for p in plugins() for x in p.nav), key=lambda x: x.order)


def home_sections() -> list[HomeSection]:
    return sorted((x for p in plugins() for x in p.home), key=lambda x: x.order)


def compared() -> list[str]:
    """The indicators a committee's home page sets side by side for its child units."""
    return [x.indicator for x in panels() if x.compare] + [x.indicator for x in headlines() if x.compare]


def url_mounts() -> list[Urls]:
    return [u for p in plugins() for u in p.urls]


def public_mounts() -> list[Urls]:
    return [u for p in plugins() for u in p.public]


def api_routers() -> list[Any]:
    return [import_string(p.api) for p in plugins() if p.api]


def steps(kind: str) -> list[Callable[..., Any]]:
    """The demo ("demo") or generator ("gen") steps of every app, in order."""
    chosen: Sequence[Step] = sorted((s for p in plugins() for s in getattr(p, kind)), key=lambda s: s.order)
    return [import_string(s.fn) for s in chosen]


def period_lock(org: Any, on_date: Any) -> str | None:
    """Why records of ``org`` dated ``on_date`` may not be added, corrected or withdrawn (the first
    installed app that locks them says), or None. Apps that own such records ask before writing."""
    for p in plugins():
        if p.period_locks:
            reason = import_string(p.period_locks)(org, on_date)
            if reason:
                return reason
    return None


def demo_logins() -> list[tuple[str, str]]:
    """Every installed app's demo log-ins, in INSTALLED_APPS order (core's come from core.demo)."""
    return [login for p in plugins() for login in p.demo_logins]


def run_periodic() -> dict[str, Any]:
    """Call every installed app's periodic functions; one failing does not stop the others."""
    import logging

    out: dict[str, Any] = {}
    for p in plugins():
        for path in p.periodic:
            try:
                out[path] = import_string(path)()
            except Exception as exc:  # noqa: BLE001 - reported, retried next minute
                logging.getLogger(__name__).warning("periodic %s failed: %s", path, exc)
                out[path] = exc
    return out


def authz_modules() -> list[Any]:
    return [importlib.import_module(p.authz) for p in plugins() if p.authz]


# --- authorisation-matrix cases ------------------------------------------------------------------


@dataclass(frozen=True)
class AuthzCases:
    """What the authorisation matrix (tests/test_authz_matrix.py) needs to know about an app's pages
    and API operations, which it finds by itself from the URL resolver and the OpenAPI schema.

    The matrix plays users of village A against the records of village B in a small world (see
    tests/world.py: ``county``, ``town_a``/``town_b`` and their ``*_org``, ``village_a``/``village_b``,
    ``branch_a``/``branch_b``, ``group_a``, ``member_a``/``member_b``, ``users``). ``records(w)``
    makes B's records of this app through its services and returns them by name; the callables
    below take the world and every app's records merged (``r``).
    """

    records: Callable[[Any], dict[str, Any]] | None = None
    # path parameters that name a record of B (pages and API alike)
    params: dict[str, Callable[[Any, dict[str, Any]], Any]] = field(default_factory=dict)
    # path parameters of pages only that name no record (a field name, one's own token)
    page_params: dict[str, Callable[[Any, dict[str, Any]], Any]] = field(default_factory=dict)
    # API path parameters that name nothing owned by anyone (the answer is scoped by the caller)
    neutral_params: dict[str, Callable[[Any, dict[str, Any]], Any]] = field(default_factory=dict)
    # query parameters through which a list could be pointed at B
    query_probes: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    # (method, schema path) -> a body that passes validation, so that scoping is what refuses it
    write_bodies: dict[tuple[str, str], Callable[[Any, dict[str, Any]], dict[str, Any]]] = field(
        default_factory=dict
    )
    # page (URL name) -> form data a user of A posts to it naming B's organisation (also put in the
    # query as ?org= where the page reads it there): refused, and nothing of B changes
    page_writes: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = field(default_factory=dict)
    # everything a write by A against B could touch, as comparable values
    state: Callable[[Any], dict[str, Any]] | None = None
    # list pages (URL names) that show B's data to B's own secretary: the positive control
    visible_to_b: frozenset[str] = frozenset()
    # API path prefix -> the role on B's township whose token makes the positive-control writes
    # (a branch secretary lacks some rights, e.g. grading)
    b_writer_roles: dict[str, str] = field(default_factory=dict)
