from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="finance_home"),
    path("overview/", views.overview, name="finance_overview"),
    path("v/<int:org_id>/", views.books, name="finance_books"),
    path("v/<int:org_id>/vouchers/", views.voucher_list, name="finance_vouchers"),
    path("v/<int:org_id>/vouchers/new/", views.voucher_new, name="finance_voucher_new"),
    path("v/<int:org_id>/report/", views.report, name="finance_report"),
    path("v/<int:org_id>/assets/", views.assets, name="finance_assets"),
    path("v/<int:org_id>/contracts/", views.contracts, name="finance_contracts"),
    path("v/<int:org_id>/months/", views.months, name="finance_months"),
    path("v/<int:org_id>/months/<str:month>/", views.month, name="finance_close"),
    path("v/<int:org_id>/panel/", views.panel, name="finance_panel"),
    path("v/<int:org_id>/handovers/", views.handovers, name="finance_handovers"),
    path("vouchers/<int:voucher_id>/", views.voucher, name="finance_voucher"),
    path("vouchers/<int:voucher_id>/reverse/", views.voucher_reverse, name="finance_voucher_reverse"),
    path("photo/<int:voucher_photo_id>/", views.photo, name="finance_photo"),
    path("handovers/<int:handover_id>/", views.handover, name="finance_handover"),
]
