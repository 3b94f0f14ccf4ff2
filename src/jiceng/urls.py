from django.contrib import admin
from django.urls import include, path

from jiceng.api.urls import api
from jiceng.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("jiceng.core.urls")),
    path("", include("jiceng.people.urls")),
    path("orglife/", include("jiceng.orglife.urls")),
    path("grading/", include("jiceng.grading.urls")),
    path("", include("jiceng.reports.urls")),
]

handler404 = "jiceng.core.views.not_found"
handler403 = "jiceng.core.views.forbidden"
