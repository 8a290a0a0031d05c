"""Every item belongs to a compartment. Items stored before compartments existed go into the
"default" compartment, which `docket init` also creates."""

import django.db.models.deletion
from django.db import migrations, models


def into_default(apps, schema_editor):
    Item = apps.get_model("vault", "Item")
    Compartment = apps.get_model("accounts", "Compartment")
    if Item.objects.filter(compartment__isnull=True).exists():
        default, _ = Compartment.objects.get_or_create(
            name="default", defaults={"description": "items stored before compartments"}
        )
        Item.objects.filter(compartment__isnull=True).update(compartment=default)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles_compartments_audit"),
        ("vault", "0002_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="compartment",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="accounts.compartment",
            ),
        ),
        migrations.RunPython(into_default, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="item",
            name="compartment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="accounts.compartment",
            ),
        ),
    ]
