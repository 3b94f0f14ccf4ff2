from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "jiceng.disclosure"
    label = "disclosure"
