from django.urls import path

from . import views

urlpatterns = [
    path("", views.orglife_overview, name="orglife_overview"),
    path("orgs/<int:org_id>/calendar/", views.orglife_calendar, name="orglife_calendar"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/checklist/", views.meeting_checklist, name="meeting_checklist"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/correct/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/withdraw/", views.meeting_withdraw, name="meeting_withdraw"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("topics/", views.topic_lists, name="topic_lists"),
    path("topics/<int:topic_list_id>/", views.topic_list_detail, name="topic_list_detail"),
]
