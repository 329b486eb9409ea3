"""Each participation keeps the name given in that programme.

Existing participants get the account's name as it is now, so what staff see
does not change with the migration.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_names(apps, schema_editor):  # type: ignore[no-untyped-def]
    Participant = apps.get_model("core", "Participant")
    User = apps.get_model("accounts", "User")
    names = User.objects.filter(pk=OuterRef("user_id")).values("full_name")[:1]
    Participant.objects.filter(full_name="").update(full_name=Subquery(names))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("core", "0003_registration_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="full_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="name"),
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop),
    ]
