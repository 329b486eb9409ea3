"""``kollega create-organisation NAME --coordinator EMAIL``: the first step of a real installation.

Creates the organisation and invites its first coordinator by email; the
invitation waits in the outbox until ``kollega worker`` sends it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kollega.core.management.preflight import database_check
from kollega.core.models import Organisation, Role


def _one_line(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class Command(BaseCommand):
    help = "Create an organisation and invite its first coordinator by email."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The organisation's name, as participants will see it.")
        parser.add_argument("--coordinator", required=True, metavar="EMAIL", help="Email of the first coordinator.")
        parser.add_argument("--time-zone", default="Europe/Helsinki", help="Time zone (default Europe/Helsinki).")
        parser.add_argument("--slug", default="", help="Short name used in addresses (default: made from the name).")

    def handle(self, *args: Any, **options: Any) -> None:
        from kollega.accounts.services import staff_invite
        from kollega.core.services import organisation_create

        database_check()
        name = options["name"].strip()
        email = options["coordinator"].strip().lower()
        slug = slugify(options["slug"] or name)[:60]
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(_("%(email)s is not an email address.") % {"email": options["coordinator"]}) from None
        if not slug:
            raise CommandError(_("Give the organisation a name made of letters or digits."))
        if Organisation.objects.filter(slug=slug).exists():
            raise CommandError(
                _("An organisation with the short name %(slug)s already exists; choose another with --slug.")
                % {"slug": slug}
            )
        try:
            with transaction.atomic():
                organisation = organisation_create(name=name, slug=slug, time_zone=options["time_zone"])
                staff_invite(organisation=organisation, email=email, role=Role.COORDINATOR, invited_by=None)
        except ValidationError as exc:
            raise CommandError(_one_line(exc)) from None
        self.stdout.write(
            _("Created the organisation “%(name)s” (short name %(slug)s, time zone %(zone)s).")
            % {"name": organisation.name, "slug": organisation.slug, "zone": organisation.time_zone}
        )
        self.stdout.write(
            _("Invited %(email)s as its coordinator. The invitation email is in the outbox; kollega worker sends it.")
            % {"email": email}
        )
