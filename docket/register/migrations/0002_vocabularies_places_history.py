"""Built-in vocabularies and places from the data files; the change history append-only."""

from django.db import migrations

from docket.lib import append_only
from docket.register.loading import sync_places, sync_vocabularies

HISTORY = "register_change"


def forwards(apps, schema_editor):
    sync_vocabularies(apps.get_model("register", "Term"))
    sync_places(apps.get_model("register", "Place"))
    append_only.add(schema_editor, HISTORY)


def backwards(apps, schema_editor):
    append_only.remove(schema_editor, HISTORY)
    apps.get_model("register", "Place").objects.filter(builtin=True).order_by("-id").delete()
    apps.get_model("register", "Term").objects.filter(builtin=True, parent__isnull=False).delete()
    apps.get_model("register", "Term").objects.filter(builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0001_register"),
        ("vault", "0002_append_only"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
