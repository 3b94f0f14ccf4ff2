from django.urls import path

from . import own_views, views

urlpatterns = [
    path("me/card/", own_views.own_card, name="own_card"),
    path("me/reveal/", own_views.own_reveal, name="own_reveal"),
    path("members/", views.member_list, name="member_list"),
    path("members/lookup/", views.member_lookup, name="member_lookup"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/import/", views.member_import, name="member_import"),
    path("members/import/template.xlsx", views.member_import_template, name="member_import_template"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:member_id>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
    path("villages/", views.village_list, name="village_list"),
    path("villages/<int:area_id>/", views.village_posts, name="village_posts"),
    path("villages/<int:area_id>/posts/new/", views.village_post_create, name="village_post_create"),
    path("villages/<int:area_id>/people/lookup/", views.village_person_lookup, name="village_person_lookup"),
    path("posts/<int:post_id>/end/", views.village_post_end, name="village_post_end"),
]
