"""The districts of every region and of Minsk join the gazetteer, and the search index."""

from django.db import migrations


def forwards(apps, schema_editor):
    from docket.register.loading import sync_places
    from docket.register.search import entry_values

    places = apps.get_model("register", "Place")
    sync_places(places)
    entries = apps.get_model("register", "SearchEntry")
    indexed = set(entries.objects.filter(kind="place").values_list("object_id", flat=True))
    for place in places.objects.exclude(pk__in=indexed):
        folded, shapes = entry_values([place.name_en, place.name_be, place.name_ru])
        entries.objects.create(
            kind="place", object_id=place.pk, label=place.name_en, words=folded, skeletons=shapes
        )


class Migration(migrations.Migration):
    dependencies = [("register", "0008_covering_facet_indexes")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
