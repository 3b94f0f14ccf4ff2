"""The site's URL tree as it is with the plugin installed (built when first resolved)."""

from jiceng.urls import build_urlpatterns

urlpatterns = build_urlpatterns()
