"""One waiting request to be contacted per participant, kept by the database (a double click made two)."""

from django.db import migrations, models


def drop_repeated_waiting_requests(apps, schema_editor):
    """A person's later waiting requests repeat their earliest one (the same click twice): keep the earliest."""
    ContactRequest = apps.get_model("evaluation", "ContactRequest")
    seen = set()
    for request in ContactRequest.objects.filter(handled_at__isnull=True).order_by("participant_id", "created_at", "id"):
        if request.participant_id in seen:
            request.delete()
        else:
            seen.add(request.participant_id)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_repeated_waiting_requests, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="contactrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("handled_at__isnull", True)),
                fields=("participant",),
                name="evaluation_one_waiting_contact_request",
            ),
        ),
    ]
