"""What core brings to the platform: the roles, the permissions every app reads by (scope, personal
data, the audit log, trees, rules, users), the org-tree rules, its pages and its part of the demo."""

from django.utils.translation import gettext_lazy as _

from . import kit
from .models import Role
from .roles import Perm
from .rulepacks import non_negative_int

_ALL = tuple(Perm)
# roles whose work has ledgers and jobs (a member's menu stays short; the pages still answer them)
_WORKERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER)
_SECRETARY = (Perm.VIEW_ORG, Perm.VIEW_MEMBER, Perm.REVEAL_PERSONAL, Perm.EXPORT_PERSONAL, Perm.VIEW_AUDIT)

PLUGIN = kit.AppPlugin(
    label="core",
    permissions=(
        kit.Permission(Perm.VIEW_ORG, _("see the organisation, its statistics and its area")),
        kit.Permission(Perm.VIEW_MEMBER, _("see people and party members (personal data masked)")),
        kit.Permission(Perm.REVEAL_PERSONAL, _("see a full ID or phone number (each view is logged)")),
        kit.Permission(Perm.EXPORT_PERSONAL, _("export lists of people (masked; each export is logged)")),
        kit.Permission(Perm.VIEW_AUDIT, _("read the audit log")),
        kit.Permission(Perm.MANAGE_ORG, _("add, move and rename organisations and areas")),
        kit.Permission(Perm.MANAGE_RULES, _("override rule-pack values for the subtree")),
        kit.Permission(Perm.MANAGE_USERS, _("grant roles inside the subtree")),
    ),
    roles=(
        kit.RoleDef(Role.COUNTY_ADMIN, Role.COUNTY_ADMIN.label, _ALL, order=10),
        kit.RoleDef(
            Role.TOWNSHIP_ADMIN,
            Role.TOWNSHIP_ADMIN.label,
            tuple(p for p in _ALL if p != Perm.MANAGE_RULES),
            order=20,
        ),
        kit.RoleDef(Role.BRANCH_SECRETARY, Role.BRANCH_SECRETARY.label, _SECRETARY, order=30),
        kit.RoleDef(Role.GRID_WORKER, Role.GRID_WORKER.label, (Perm.VIEW_ORG, Perm.VIEW_MEMBER), order=40),
        kit.RoleDef(Role.MEMBER, Role.MEMBER.label, (Perm.VIEW_ORG,), order=50),
    ),
    rules=(
        kit.Rule(
            "org.branch_min_full_members",
            3,
            "成立党支部的最少正式党员数",
            "中国共产党支部工作条例（试行）第五条",
            validate=non_negative_int,
            shape=kit.scalar("int", unit="人"),
        ),
        kit.Rule(
            "org.branch_max_members",
            50,
            "党支部党员人数一般不超过",
            "中国共产党支部工作条例（试行）第五条",
            validate=non_negative_int,
            shape=kit.scalar("int", unit="人"),
        ),
        kit.Rule(
            "org.branch_committee_threshold",
            7,
            "正式党员达到几人即设支部委员会（默认7人）",
            "中国共产党支部工作条例（试行）第十九条",
            validate=non_negative_int,
            shape=kit.scalar("int", unit="人"),
        ),
        kit.Rule(
            "org.village_term_years",
            5,
            "村党组织每届任期（年）",
            "中国共产党章程 第三十条（2017）",
            validate=non_negative_int,
            shape=kit.scalar("int", unit="年"),
        ),
    ),
    audit_actions={
        "create": _("created"),
        "update": _("changed"),
        "reveal": _("viewed full personal data"),
        "export": _("exported"),
        "grant": _("granted a role"),
        "token_create": _("created an API token"),
        "token_revoke": _("revoked an API token"),
        "rule_override": _("overrode a rule"),
        "holiday_set": _("edited the holiday table"),
        "demo_load": _("loaded the demo data"),
        "delete": _("deleted"),
        "import": _("imported"),
        "job_start": _("started a job"),
        "job_retry": _("retried a job"),
        "outbox_dispatch": _("asked for the queued messages to be sent"),
        "transition": _("took a workflow step"),
        "workflow_customise": _("changed a workflow"),
        "unlock": _("unlocked an account"),
        "password_change": _("changed the password"),
        "otp_setup": _("set up the second factor"),
    },
    nav=(
        kit.NavItem(_("Ledgers"), "ledger_list", Perm.VIEW_ORG, order=800, roles=_WORKERS),
        kit.NavItem(_("My jobs"), "job_list", Perm.VIEW_ORG, order=850, roles=_WORKERS),
        kit.NavItem(_("Outbox"), "outbox", Perm.MANAGE_USERS, order=880),
        kit.NavItem(_("Audit log"), "audit_list", Perm.VIEW_AUDIT, order=900),
        kit.NavItem(_("Security log"), "security_list", Perm.MANAGE_USERS, order=910),
    ),
    urls=(kit.Urls("", "jiceng.core.urls"),),
    api="jiceng.core.api.router",
    jobs="jiceng.core.job_kinds",
    demo=(kit.Step("jiceng.core.demo.tree", order=10), kit.Step("jiceng.core.demo.users", order=15)),
    gen=(kit.Step("jiceng.core.gen.trees", order=10), kit.Step("jiceng.core.gen.users", order=90)),
    authz="jiceng.core.authz",
)
