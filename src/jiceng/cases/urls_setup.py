"""The county's setup and the routine work, mounted at /cases/setup/ (plugin.py)."""

from django.urls import path

from . import setup_views as v

urlpatterns = [
    path("", v.setup_index, name="cases_setup"),
    path("departments/", v.setup_departments, name="cases_setup_departments"),
    path("mediators/", v.setup_mediators, name="cases_setup_mediators"),
    path("advisers/", v.setup_advisers, name="cases_setup_advisers"),
    path("categories/", v.setup_categories, name="cases_setup_categories"),
    path("categories/new/", v.setup_category_new, name="cases_setup_category_new"),
    path("categories/<slug:category_code>/", v.setup_category, name="cases_setup_category"),
    path("clients/", v.setup_clients, name="cases_setup_clients"),
    path("duty/", v.duty_overview, name="cases_duty"),
    path("duty/<int:point_id>/", v.duty_roster, name="cases_duty_roster"),
    path("duty/shifts/<int:shift_id>/remove/", v.duty_remove, name="cases_duty_remove"),
    path("routine/", v.routine_overview, name="cases_routine"),
    path("routine/<int:village_id>/", v.routine_month, name="cases_routine_month"),
    path("routine/<int:village_id>/report/", v.routine_report, name="cases_routine_report"),
    path("routine/findings/<int:finding_id>/", v.routine_finding, name="cases_routine_finding"),
    path("lists/", v.lists_overview, name="cases_lists"),
    path("lists/<int:village_id>/", v.lists_village, name="cases_lists_village"),
    path("lists/items/<int:list_item_id>/", v.list_item, name="cases_list_item"),
    path("lists/milestones/<int:milestone_id>/done/", v.milestone_done, name="cases_milestone_done"),
]
