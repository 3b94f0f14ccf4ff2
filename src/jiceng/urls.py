"""The URL tree: each installed app's mounts (core.kit), then the API assembled from their routers."""

from django.contrib import admin
from django.urls import include, path

from jiceng.api.urls import build_api
from jiceng.core import kit
from jiceng.core import views as core_views


def build_urlpatterns() -> list:
    return [
        path("healthz", core_views.healthz, name="healthz"),
        path("i18n/", include("django.conf.urls.i18n")),
        path("api/", build_api().urls),
        path("admin/", admin.site.urls),
        *(path(f"public/{mount.prefix}", include(mount.module)) for mount in kit.public_mounts()),
        *(path(mount.prefix, include(mount.module)) for mount in kit.url_mounts()),
    ]


urlpatterns = build_urlpatterns()

handler404 = "jiceng.core.views.not_found"
handler403 = "jiceng.core.views.forbidden"
