"""``kollega remind-round ROUND``: remind those who have not answered (nobody twice within two days).

Exit status: 0 done (also when nobody needed a reminder), 1 the round is not open, 2 no such round.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from kollega.core.management.preflight import database_check
from kollega.evaluation import services
from kollega.evaluation.management.commands._rounds import EXIT_REFUSED, round_find


class Command(BaseCommand):
    help = "Remind the participants who have not answered a questionnaire round."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="The round's number (see the programme's questionnaire page).")

    def handle(self, *args: Any, **options: Any) -> None:
        database_check()
        round = round_find(options["round"])
        try:
            count = services.round_remind(round=round)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=EXIT_REFUSED) from None
        self.stdout.write(
            ngettext("Reminded %(count)d person.", "Reminded %(count)d people.", count) % {"count": count}
        )
