from django.urls import path

from . import views

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/import/", views.member_import, name="member_import"),
    path("members/import/template.xlsx", views.member_import_template, name="member_import_template"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:member_id>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
    path("villages/", views.village_list, name="village_list"),
    path("villages/<int:area_id>/", views.village_posts, name="village_posts"),
    path("villages/<int:area_id>/posts/new/", views.village_post_create, name="village_post_create"),
    path("posts/<int:post_id>/end/", views.village_post_end, name="village_post_end"),
]
