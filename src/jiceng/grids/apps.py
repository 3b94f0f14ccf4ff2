from django.apps import AppConfig


class GridsConfig(AppConfig):
    name = "jiceng.grids"
    label = "grids"
