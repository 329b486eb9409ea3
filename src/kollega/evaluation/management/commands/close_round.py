"""``kollega close-round ROUND``: close a questionnaire round now; its links then say it has closed.

Exit status: 0 closed (or already closed), 2 no such round.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kollega.core.management.preflight import database_check
from kollega.evaluation import services
from kollega.evaluation.management.commands._rounds import round_find


class Command(BaseCommand):
    help = "Close a questionnaire round."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="The round's number (see the programme's questionnaire page).")

    def handle(self, *args: Any, **options: Any) -> None:
        database_check()
        round = round_find(options["round"])
        if round.closed_at is not None:
            self.stdout.write(_("Round %(round)d was already closed.") % {"round": round.pk})
            return
        round = services.round_close(round=round)
        answered = round.invitations.filter(answered_at__isnull=False).count()
        self.stdout.write(
            _("Closed round %(round)d: %(answered)d of %(invited)d answered.")
            % {"round": round.pk, "answered": answered, "invited": round.invitations.count()}
        )
