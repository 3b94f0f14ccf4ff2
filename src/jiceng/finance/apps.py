from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "jiceng.finance"
    label = "finance"
