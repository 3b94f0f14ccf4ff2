from django.urls import path

from . import views

urlpatterns = [
    path("", views.cases_queue, name="cases_queue"),
    path("new/", views.cases_new, name="cases_new"),
    path("places/", views.cases_place_lookup, name="cases_place_lookup"),
    path("department/", views.cases_department, name="cases_department"),
    path("mediator/", views.cases_mediator, name="cases_mediator"),
    path("court/", views.cases_court, name="cases_court"),
    path("photos/<int:case_photo_id>/", views.cases_photo, name="cases_photo"),
    path("<int:case_id>/", views.cases_detail, name="cases_detail"),
    path("<int:case_id>/act/<slug:action>/", views.cases_act, name="cases_act"),
]
