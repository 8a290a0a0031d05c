"""The qualifications a case may use: art. 8 of the Rome Statute, three more articles of the
Criminal Code and the UN Convention against Torture join the vocabularies (sync is
idempotent: it adds the new codes and leaves the others as they are)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from docket.register.loading import sync_vocabularies

    sync_vocabularies(apps.get_model("register", "Term"))


class Migration(migrations.Migration):
    dependencies = [("register", "0018_membership_command")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
