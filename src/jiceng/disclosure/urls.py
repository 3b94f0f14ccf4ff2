from django.urls import path

from . import views

urlpatterns = [
    path("", views.item_list, name="disclosure_list"),
    path("new/", views.publish, name="disclosure_publish"),
    path("overdue/", views.overdue, name="disclosure_overdue"),
    path("<int:disclosure_id>/", views.item_detail, name="disclosure_item"),
    path("<int:disclosure_id>/withdraw/", views.withdraw, name="disclosure_withdraw"),
]
