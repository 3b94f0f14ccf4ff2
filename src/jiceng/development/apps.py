from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "jiceng.development"
    label = "development"
