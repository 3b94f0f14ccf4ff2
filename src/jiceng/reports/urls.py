from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/trend/<int:org_id>/", views.home_trend, name="home_trend"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("orgs/", views.org_tree, name="org_tree"),
    path("orgs/<int:org_id>/", views.org_node, name="org_node"),
    path("orgs/<int:org_id>/children/", views.org_children, name="org_children"),
    path("areas/", views.area_tree, name="area_tree"),
    path("areas/<int:area_id>/", views.area_node, name="area_node"),
    path("areas/<int:area_id>/children/", views.area_children, name="area_children"),
]
