"""The default catalogue a county starts from: case categories (with where each starts by severity
and its time promises) and the usual departments. A county edits its own copies (services); the
defaults are written by migration 0002 and by ``ensure_defaults`` (tests, a fresh database)."""

from __future__ import annotations

from .catalogue_errands import ERRANDS

# severity -> starting level (0 grid, 1 village, 2 township, 3 county): 小事不出村、大事不出镇
LOCAL = {"minor": 0, "normal": 1, "serious": 2, "major": 2}
VILLAGE = {"minor": 1, "normal": 1, "serious": 2, "major": 2}
TOWNSHIP = {"minor": 2, "normal": 2, "serious": 2, "major": 3}
COUNTY = {"minor": 3, "normal": 3, "serious": 3, "major": 3}
GRID = {"minor": 0, "normal": 0, "serious": 1, "major": 2}  # court pushes go to the grid worker (004-P1)

# (code, name, kind, group, public, routing, respond_hours, promise_workdays, description)
CATEGORIES: tuple[tuple, ...] = (
    ("road", "道路桥梁破损", "service", "基础设施", True, VILLAGE, 24, 10, "村组道路、桥梁、涵洞破损或积水"),
    ("street_light", "路灯不亮", "service", "基础设施", True, LOCAL, 24, 5, "路灯、公共照明损坏"),
    ("water", "供水问题", "service", "基础设施", True, VILLAGE, 12, 5, "停水、水压低、水质问题"),
    ("sanitation", "环境卫生", "service", "人居环境", True, LOCAL, 24, 3, "垃圾清运、乱堆乱放、公厕"),
    ("drainage", "排水与污水", "service", "人居环境", True, VILLAGE, 24, 7, "下水道堵塞、污水横流"),
    ("noise", "噪声扰民", "complaint", "人居环境", True, VILLAGE, 24, 5, "施工、商铺、广场舞噪声"),
    (
        "illegal_building",
        "违法建设",
        "complaint",
        "城乡管理",
        True,
        TOWNSHIP,
        24,
        15,
        "违章搭建、占用公共空间",
    ),
    ("stall", "占道经营", "complaint", "城乡管理", True, TOWNSHIP, 24, 5, "流动摊贩、店外经营"),
    ("property", "物业服务", "complaint", "住房物业", True, VILLAGE, 24, 10, "物业管理、电梯、维修基金"),
    ("safety_hazard", "安全隐患", "service", "平安建设", True, TOWNSHIP, 4, 5, "消防、用电、危房等隐患"),
    ("policy", "政策咨询", "service", "政务服务", True, LOCAL, 24, 3, "惠民政策、办事流程咨询"),
    ("hardship", "困难救助", "service", "民生保障", False, VILLAGE, 24, 10, "生活困难、突发变故求助"),
    ("elderly_care", "关爱服务", "service", "民生保障", False, LOCAL, 24, 5, "三留守、独居老人等关爱需求"),
    ("suggestion", "意见建议", "service", "其他", True, VILLAGE, 48, 10, "对村（社区）工作的意见建议"),
    ("dispute_neighbour", "邻里纠纷", "dispute", "矛盾纠纷", False, LOCAL, 24, 10, "相邻关系、通行、采光等"),
    (
        "dispute_family",
        "婚姻家庭纠纷",
        "dispute",
        "矛盾纠纷",
        False,
        VILLAGE,
        24,
        15,
        "婚姻、赡养、抚养、继承",
    ),
    (
        "dispute_land",
        "土地山林纠纷",
        "dispute",
        "矛盾纠纷",
        False,
        VILLAGE,
        24,
        20,
        "承包地、宅基地、山林界址",
    ),
    (
        "dispute_contract",
        "合同债务纠纷",
        "dispute",
        "矛盾纠纷",
        False,
        TOWNSHIP,
        24,
        20,
        "借贷、买卖、劳务合同",
    ),
    ("wage_arrears", "拖欠工资", "wage", "劳动保障", False, TOWNSHIP, 24, 60, "农民工工资拖欠（治欠保支）"),
    ("court_assist", "协助执行", "enforcement", "司法协助", False, GRID, 72, 30, "法院推送的执行协助事项"),
)

# severity -> mediator tier (1+1+N, 000-R3)
MEDIATOR_TIER = {"minor": "volunteer", "normal": "community", "serious": "judge", "major": "judge"}

# the usual county departments (县直部门) and township stations (乡镇站所); code, name, at_township
DEPARTMENTS: tuple[tuple[str, str, bool], ...] = (
    ("civil_affairs", "民政局", False),
    ("human_resources", "人力资源和社会保障局", False),
    ("justice", "司法局", False),
    ("public_security", "公安局", False),
    ("urban_management", "城市管理综合执法局", False),
    ("housing", "住房和城乡建设局", False),
    ("natural_resources", "自然资源局", False),
    ("agriculture", "农业农村局", False),
    ("water", "水务局", False),
    ("market", "市场监督管理局", False),
    ("health", "卫生健康局", False),
    ("ecology", "生态环境分局", False),
    ("justice_station", "司法所", True),
    ("police_station", "派出所", True),
    ("labour_station", "劳动保障所", True),
    ("urban_squad", "城管中队", True),
)


def default_rows() -> list[dict]:
    """Every default category as the fields of a Category row."""
    rows = [
        {
            "code": code,
            "name": name,
            "kind": kind,
            "group": group,
            "public": public,
            "routing": dict(routing),
            "respond_hours": hours,
            "promise_workdays": days,
            "description": description,
            "order": i,
        }
        for i, (code, name, kind, group, public, routing, hours, days, description) in enumerate(CATEGORIES)
    ]
    for i, e in enumerate(ERRANDS):
        rows.append(
            {
                "code": e["code"],
                "name": e["name"],
                "kind": "errand",
                "group": e["group"],
                "public": False,
                "routing": dict(VILLAGE),
                "respond_hours": 24,
                "promise_workdays": e["promise_workdays"],
                "description": e["description"],
                "documents": e["documents"],
                "at_most_once": e["at_most_once"],
                "order": 100 + i,
            }
        )
    return rows


def ensure_defaults() -> None:
    """Write the default catalogue where it is missing (idempotent)."""
    from .models import Category

    have = set(Category.objects.filter(county__isnull=True).values_list("code", flat=True))
    Category.objects.bulk_create([Category(**row) for row in default_rows() if row["code"] not in have])
