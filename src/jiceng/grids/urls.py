from django.urls import path

from . import views

urlpatterns = [
    path("", views.grid_list, name="grid_list"),
    path("<int:grid_id>/", views.grid_detail, name="grid_detail"),
    path("<int:grid_id>/visits/new/", views.visit_create, name="visit_create"),
    path("<int:grid_id>/duties/new/", views.duty_create, name="duty_create"),
    path("<int:grid_id>/lookup/households/", views.grid_household_lookup, name="grid_household_lookup"),
    path("<int:grid_id>/lookup/people/", views.grid_person_lookup, name="grid_person_lookup"),
    path("duties/<int:duty_id>/end/", views.duty_end, name="duty_end"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit_detail"),
    path("photos/<int:photo_id>/", views.visit_photo, name="visit_photo"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("households/<int:household_id>/move/", views.household_move, name="household_move"),
    path("coverage/", views.grid_coverage, name="grid_coverage"),
    path("where/", views.grid_where, name="grid_where"),
    path("lookup/areas/", views.grid_area_lookup, name="grid_area_lookup"),
]
