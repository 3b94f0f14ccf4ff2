from jiceng.core import kit
from jiceng.core.roles import Perm
from jiceng.core.rulepacks import non_negative_int

SEE_WELLS = "see_wells"

PLUGIN = kit.AppPlugin(
    label="plugin_app",
    permissions=(kit.Permission(SEE_WELLS, "查看水井", roles=("county_admin", "township_admin")),),
    roles=(kit.RoleDef("well_keeper", "水井管理员", perms=(Perm.VIEW_ORG, SEE_WELLS), order=60),),
    rules=(
        kit.Rule(
            "plugin_app.wells_per_village",
            2,
            "每村至少水井数",
            "插件示例：测试规则",
            local=True,
            validate=non_negative_int,
        ),
    ),
    audit_actions={"well_dug": "打了一口井"},
    audit_fields={"depth_m": "井深（米）"},
    panels=(kit.Panel("plugin_app.wells", "bar", order=99),),
    headlines=(kit.Headline("plugin_app.well_count", order=99, compare=True),),
    nav=(kit.NavItem("水井", "plugin_wells", SEE_WELLS, order=95),),
    home=(
        kit.HomeSection(
            "wells", ("county_admin",), "tests.plugin_app.home.wells", "plugin_app/home_wells.html"
        ),
    ),
    urls=(kit.Urls("wells/", "tests.plugin_app.urls"),),
    public=(kit.Urls("wells/", "tests.plugin_app.public"),),
    api="tests.plugin_app.api.router",
    indicators="tests.plugin_app.indicators",
    ledgers="tests.plugin_app.ledgers",
    workflows="tests.plugin_app.workflows",
    jobs="tests.plugin_app.jobs",
    demo=(kit.Step("tests.plugin_app.demo.build", order=90),),
    gen=(kit.Step("tests.plugin_app.demo.gen", order=90),),
    authz="tests.plugin_app.authz",
)
