"""What the grids app brings: every household and unit in a grid (004-P7), who answers for each grid
(入网定责), the grid worker's visits (走访、三问三送) with their photos, the coverage figures and the
"which grid is my address in" look-up for residents."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import kit

VIEW_GRID = "view_grid"  # see grids, their households, units, duties and visits
MANAGE_GRID = "manage_grid"  # keep units and grid duties, put households and units into grids
RECORD_VISIT = "record_visit"  # record visits (走访) in a grid

GRID_ROLES = ("county_admin", "township_admin", "branch_secretary", "grid_worker")

# the coverage figures and the visits: on the dashboard
HEADLINES = (
    "grids.households_outside_grids",
    "grids.units_outside_grids",
    "grids.grids_without_worker",
    "grids.grids_without_party_group",
    "grids.visits",
)

PLUGIN = kit.AppPlugin(
    label="grids",
    permissions=(
        kit.Permission(
            VIEW_GRID, _("see grids, their households, units, duties and visits"), roles=GRID_ROLES
        ),
        kit.Permission(
            MANAGE_GRID,
            _("keep units and grid duties, and put households and units into grids"),
            roles=("county_admin", "township_admin", "branch_secretary"),
        ),
        kit.Permission(
            RECORD_VISIT,
            _("record visits in a grid"),
            # the county too: role grants never escalate (core.services.role_grant), so the county
            # officer must hold what the township officers it appoints hold
            roles=("grid_worker", "branch_secretary", "township_admin", "county_admin"),
        ),
    ),
    audit_actions={"grid_move": _("put into a grid"), "duty_end": _("ended a duty")},
    audit_fields={
        "uscc": _("unified social credit code"),
        "unit_kind": _("kind of unit"),
        "grid": _("grid"),
        "duty": _("duty"),
        "from_date": _("from"),
        "to_date": _("to"),
        "visited_on": _("date of the visit"),
        "visit_kind": _("kind of visit"),
        "household": _("household"),
        "unit": _("unit"),
        "person_visited": _("person visited"),
        "three_asks": _("asked (三问)"),
        "three_sends": _("brought (三送)"),
        "follow_up": _("follow-up"),
        "photos": _("photos"),
    },
    headlines=tuple(kit.Headline(name, order=70 + i) for i, name in enumerate(HEADLINES)),
    nav=(kit.NavItem(_("Grids"), "grid_list", VIEW_GRID, order=55, roles=GRID_ROLES),),
    home=(
        kit.HomeSection(
            "grids.worker", ("grid_worker",), "jiceng.grids.home.worker", "grids/home_worker.html", order=41
        ),
    ),
    urls=(kit.Urls("grids/", "jiceng.grids.urls"),),
    public=(kit.Urls("", "jiceng.grids.public"),),
    indicators="jiceng.grids.indicators",
    ledgers="jiceng.grids.ledgers",
    demo=(kit.Step("jiceng.grids.demo.build", order=40),),
    gen=(kit.Step("jiceng.grids.gen.build", order=40),),
    authz="jiceng.grids.authz",
)
