from django.urls import path

from . import views

urlpatterns = [
    path("", views.matter_list, name="decisions_list"),
    path("new/", views.matter_new, name="decisions_new"),
    path("township/", views.township, name="decisions_township"),
    path("<int:matter_id>/", views.matter_detail, name="decisions_matter"),
    path("<int:matter_id>/stage/<slug:stage_action>/", views.matter_stage, name="decisions_stage"),
    path("villages/<int:area_id>/roster/", views.village_roster, name="decisions_roster"),
    path("villages/<int:area_id>/base/", views.village_base, name="decisions_base"),
    path("photo/<int:meeting_photo_id>/", views.photo, name="decisions_photo"),
]
