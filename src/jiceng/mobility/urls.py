from django.urls import path

from . import views

urlpatterns = [
    path("", views.mobility_home, name="mobility_home"),
    path("<int:org_id>/outflow/new/", views.outflow_create, name="mobility_outflow_create"),
    path("<int:org_id>/inflow/new/", views.inflow_create, name="mobility_inflow_create"),
    path("<int:org_id>/transfers/new/", views.transfer_create, name="mobility_transfer_create"),
    path("<int:org_id>/profile/", views.profile_edit, name="mobility_profile"),
    path("<int:org_id>/signs/new/", views.work_sign_create, name="mobility_work_sign_create"),
    path("outflow/<int:outflow_id>/", views.outflow_detail, name="mobility_outflow"),
    path("outflow/<int:outflow_id>/end/", views.outflow_end, name="mobility_outflow_end"),
    path("inflow/<int:inflow_id>/", views.inflow_detail, name="mobility_inflow"),
    path("inflow/<int:inflow_id>/end/", views.inflow_end, name="mobility_inflow_end"),
    path("transfers/<int:transfer_id>/", views.transfer_detail, name="mobility_transfer"),
    path("transfers/<int:transfer_id>/confirm/", views.transfer_confirm, name="mobility_transfer_confirm"),
    path("transfers/<int:transfer_id>/cancel/", views.transfer_cancel, name="mobility_transfer_cancel"),
    path("signs/<int:sign_id>/clear/", views.work_sign_clear, name="mobility_work_sign_clear"),
    path("meetings/<int:meeting_id>/hosted/", views.hosted_attendance, name="mobility_hosted_attendance"),
    path("workers/", views.worker_list, name="mobility_workers"),
    path("workers/new/", views.worker_create, name="mobility_worker_create"),
    path("workers/<int:worker_id>/", views.worker_edit, name="mobility_worker_edit"),
    path("enterprises/", views.enterprise_list, name="mobility_enterprises"),
    path("enterprises/new/", views.enterprise_create, name="mobility_enterprise_create"),
    path("enterprises/<int:enterprise_id>/", views.enterprise_edit, name="mobility_enterprise_edit"),
]
