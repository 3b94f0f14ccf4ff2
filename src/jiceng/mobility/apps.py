from django.apps import AppConfig


class MobilityConfig(AppConfig):
    name = "jiceng.mobility"
    label = "mobility"
