from django.urls import path

from . import views

urlpatterns = [
    path("", views.grading_rounds, name="grading_rounds"),
    path("rounds/<int:round_id>/", views.grading_round, name="grading_round"),
    path("grades/<int:grade_id>/", views.grade_detail, name="grade_detail"),
    path("plans/", views.rectification_plans, name="rectification_plans"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("measures/<int:measure_id>/complete/", views.measure_complete, name="measure_complete"),
]
