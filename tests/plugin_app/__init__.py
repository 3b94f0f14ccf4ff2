"""A domain app that lives only in the tests: it declares one of everything an app can declare, so
tests/test_plugin_app.py can show that each appears where it should with nothing but its line in
INSTALLED_APPS (jiceng.core.kit; docs/adding-an-app.md)."""
