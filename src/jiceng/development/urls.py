from django.urls import path

from . import views

urlpatterns = [
    path("", views.board, name="development_board"),
    path("new/", views.apply, name="development_apply"),
    path("plans/", views.plans, name="development_plans"),
    path("<int:applicant_id>/", views.record, name="development_record"),
    path("<int:applicant_id>/step/<slug:code>/", views.step, name="development_step"),
    path("<int:applicant_id>/end/", views.end, name="development_end"),
    path("photo/<int:step_photo_id>/", views.photo, name="development_photo"),
]
