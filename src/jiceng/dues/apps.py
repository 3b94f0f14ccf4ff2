from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "jiceng.dues"
    label = "dues"
