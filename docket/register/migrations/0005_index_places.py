"""Put the built-in places into the search index."""

from django.db import migrations


def forwards(apps, schema_editor):
    from docket.register.search import entry_values

    entries = apps.get_model("register", "SearchEntry")
    for place in apps.get_model("register", "Place").objects.all():
        folded, shapes = entry_values([place.name_en, place.name_be, place.name_ru])
        entries.objects.update_or_create(
            kind="place",
            object_id=place.pk,
            defaults={"label": place.name_en, "words": folded, "skeletons": shapes},
        )


def backwards(apps, schema_editor):
    apps.get_model("register", "SearchEntry").objects.filter(kind="place").delete()


class Migration(migrations.Migration):
    dependencies = [("register", "0004_full_text_index")]
    operations = [migrations.RunPython(forwards, backwards)]
