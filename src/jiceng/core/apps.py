from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = _("core")

    def ready(self) -> None:
        from . import kit

        kit.plugins()  # every installed app's declarations, and the indicators they register
        from . import security

        security.connect_axes()
