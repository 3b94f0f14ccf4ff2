"""The groups cadres are asked to care for that people's tag list lacks: disabled, demented and
very old elderly living alone (失能、失智、高龄独居老人). 三留守 and 困难户 are people's own."""

from django.db import migrations

CARE_TAGS = [
    ("disabled_elderly", "失能老人"),
    ("dementia_elderly", "失智老人"),
    ("elderly_alone", "高龄独居老人"),
]


def add(apps, schema_editor):
    tag = apps.get_model("people", "HouseholdTag")
    for code, name in CARE_TAGS:
        tag.objects.get_or_create(code=code, defaults={"name": name})


def remove(apps, schema_editor):
    tag = apps.get_model("people", "HouseholdTag")
    tag.objects.filter(code__in=[c for c, _n in CARE_TAGS], households__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("grids", "0001_initial"), ("people", "0004_member_card")]

    operations = [migrations.RunPython(add, remove)]
