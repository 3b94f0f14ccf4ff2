from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "jiceng.decisions"
    label = "decisions"
