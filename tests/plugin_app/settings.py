"""The site's settings with the plugin app installed: its one line in INSTALLED_APPS."""

from jiceng.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.plugin_app"]  # noqa: F405
