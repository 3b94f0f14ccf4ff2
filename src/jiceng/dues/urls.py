from django.urls import path

from . import views

urlpatterns = [
    path("", views.dues_overview, name="dues_overview"),
    path("orgs/<int:org_id>/", views.dues_org, name="dues_org"),
    path("members/<int:member_id>/", views.dues_member, name="dues_member"),
    path("members/<int:member_id>/declare/", views.dues_declare, name="dues_declare"),
    path("members/<int:member_id>/pay/", views.dues_pay, name="dues_pay"),
    path("receipts/<int:payment_id>/", views.dues_receipt, name="dues_receipt"),
    path("receipts/<int:payment_id>/void/", views.dues_void, name="dues_void"),
    path("mine/", views.dues_mine, name="dues_mine"),
]
