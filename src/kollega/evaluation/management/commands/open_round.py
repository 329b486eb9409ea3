"""``kollega open-round PROGRAMME --kind follow_up [--closes DATE] [--status STATUS …]``.

Opens a round of the programme's well-being questionnaire and invites the
participants with the given statuses who agreed to it. Exit status: 0 opened,
1 refused (say, a closing date in the past), 2 a usage error.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kollega.core.management.arguments import programme_find, usage_error
from kollega.core.management.preflight import database_check
from kollega.core.models import Participant, Status
from kollega.evaluation import services
from kollega.evaluation.management.commands._rounds import EXIT_REFUSED
from kollega.evaluation.models import RoundKind

DEFAULT_STATUSES = {
    RoundKind.BASELINE: [Status.INTERVIEW_BOOKED, Status.INTERVIEWED, Status.ACCEPTED],
    RoundKind.FINAL: [Status.IN_GROUP, Status.COMPLETED],
    RoundKind.FOLLOW_UP: [Status.ACCEPTED, Status.IN_GROUP, Status.COMPLETED],
}


class Command(BaseCommand):
    help = "Open a questionnaire round of a programme and invite its participants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("programme", help="The programme: its number or its address name.")
        parser.add_argument("--kind", default=RoundKind.FOLLOW_UP, help="baseline, final or follow_up.")
        parser.add_argument("--closes", metavar="DATE", help="The last day to answer (YYYY-MM-DD); default two weeks.")
        parser.add_argument(
            "--status", action="append", default=[], metavar="STATUS", help="Invite participants with this status."
        )
        parser.add_argument("--organisation", metavar="SLUG", help="The organisation, when the address name is shared.")

    def handle(self, *args: Any, **options: Any) -> None:
        database_check()
        programme = programme_find(options["programme"], options.get("organisation"))
        kind = options["kind"]
        if kind not in RoundKind.values:
            raise usage_error(
                _("Unknown kind %(kind)s: use %(kinds)s.") % {"kind": kind, "kinds": ", ".join(RoundKind.values)}
            )
        statuses = options["status"] or DEFAULT_STATUSES[RoundKind(kind)]
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise usage_error(
                _("Unknown status %(status)s: use %(statuses)s.")
                % {"status": ", ".join(unknown), "statuses": ", ".join(Status.values)}
            )
        tz = programme.organisation.tz
        if options.get("closes"):
            try:
                last_day = date.fromisoformat(options["closes"])
            except ValueError:
                raise usage_error(
                    _("Write the date as YYYY-MM-DD, not %(value)s.") % {"value": options["closes"]}
                ) from None
        else:
            last_day = datetime.now(tz).date() + timedelta(days=14)
        furthest = services.last_closing_day(datetime.now(tz).date())
        if last_day > furthest:  # before any arithmetic: 9999-12-31 has no next day
            raise CommandError(
                _("Choose a closing date no later than %(date)s.") % {"date": furthest.isoformat()},
                returncode=EXIT_REFUSED,
            )
        closes_at = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=tz)
        participants = Participant.objects.filter(programme=programme, status__in=statuses).select_related("user")
        try:
            round = services.round_open(
                programme=programme,
                form=services.wellbeing_form_ensure(programme=programme),
                kind=kind,
                participants=participants,
                closes_at=closes_at,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=EXIT_REFUSED) from None
        invited = round.invitations.count()
        self.stdout.write(
            _("Opened round %(round)d (%(kind)s) of %(programme)s until %(date)s: %(invited)d of %(total)d invited.")
            % {
                "round": round.pk,
                "kind": round.get_kind_display(),
                "programme": programme.name,
                "date": last_day.isoformat(),
                "invited": invited,
                "total": participants.count(),
            }
        )
        if invited < participants.count():
            self.stdout.write(_("The others have not agreed to the questionnaire or have left; they are not asked."))
