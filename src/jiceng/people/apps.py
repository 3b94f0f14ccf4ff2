from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "jiceng.people"
    label = "people"
    verbose_name = _("people")

    def ready(self) -> None:
        from jiceng.core import audit

        from . import indicators  # noqa: F401  (registers the indicators)
        from .services import FIELD_LABELS

        audit.FIELD_LABELS.update(FIELD_LABELS)
