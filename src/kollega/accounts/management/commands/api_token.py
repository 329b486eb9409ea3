"""``kollega api-token EMAIL [--name NAME]``: a personal API token for a staff member.

Its output is for the operator at the console and, like Django's own
commands, in English. The token goes to stdout alone, so that a script can capture it
(``TOKEN=$(kollega api-token coordinator@example.org)``); the line saying what
it is goes to stderr.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.utils import timezone

from kollega.accounts.models import User
from kollega.accounts.tokens import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a staff member and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The email address of a staff member (coordinator or facilitator).")
        parser.add_argument(
            "--name", default="", help='What will use the token (default: "command line" and today\'s date).'
        )

    @no_translations
    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No one has the email address {email.strip()}.")
        name = name.strip() or f"command line {timezone.localdate():%Y-%m-%d}"
        try:
            token, raw = api_token_create(user=user, name=name)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "not_staff":
                raise CommandError(
                    f"{user.email} is not staff of any organisation; only staff members can have API tokens."
                ) from None
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(raw)
        self.stderr.write(
            f'API token "{token.name}" for {user.email} (starts {token.hint}). '
            "It is shown only this once: keep it as safely as a password."
        )
