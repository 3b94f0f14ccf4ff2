from django.urls import path

from . import views

urlpatterns = [
    path("", views.duty_list, name="contacts_list"),
    path("new/", views.assign, name="contacts_assign"),
    path("mine/", views.mine, name="contacts_mine"),
    path("<int:contact_id>/end/", views.end, name="contacts_end"),
    path("<int:contact_id>/visit/", views.visit, name="contacts_visit"),
]
