from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "jiceng.contacts"
    label = "contacts"
