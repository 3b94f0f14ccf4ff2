"""The default catalogue of case categories (cases/catalogue.py): service requests, complaints,
disputes, wage arrears, enforcement assistance and the 47 errands. A county edits its own copies."""

from django.db import migrations


def forwards(apps, schema_editor):
    from jiceng.cases.catalogue import default_rows

    Category = apps.get_model("cases", "Category")
    have = set(Category.objects.filter(county__isnull=True).values_list("code", flat=True))
    Category.objects.bulk_create([Category(**row) for row in default_rows() if row["code"] not in have])


def backwards(apps, schema_editor):
    apps.get_model("cases", "Category").objects.filter(county__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
