"""``kollega generate-schedule PROGRAMME [--group NAME_OR_ID …] [--rule RULE] [--dry-run] [--json]``.

Generates the meetings of the programme's groups that have none yet (or of
the groups named), as the schedule page does: themes, agendas, video links,
and the invitations and reminders queued in the outbox. It prints each
group's meetings, which moved off a public holiday or a closed period and
why, and how many invitations were queued. ``--dry-run`` only previews the
dates and stores nothing.

Exit status: 0 every group scheduled (or nothing to do); 1 a group could not
be scheduled (it already has its schedule, its first meeting would be in the
past, or a move cannot be made), the others are scheduled all the same; 2 a
usage error (unknown programme or group).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kollega.core.management.arguments import programme_find, usage_error, whole_number
from kollega.core.management.preflight import database_check
from kollega.core.models import MoveRule, Programme
from kollega.core.models.texts import localized
from kollega.core.services import subject_key
from kollega.grouping.models import Group
from kollega.meetings import messages, services
from kollega.meetings.models import Meeting
from kollega.notifications.models import Notification

EXIT_REFUSED = 1


@dataclass
class Outcome:
    """What happened to one group."""

    group: Group
    meetings: list[Meeting] = field(default_factory=list)
    error: str = ""
    invitations: int = 0
    reminders: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.group.pk,
            "name": self.group.name,
            "scheduled": not self.error,
            "error": self.error,
            "invitations": self.invitations,
            "reminders": self.reminders,
            "meetings": [_meeting_json(m) for m in self.meetings],
        }


def _meeting_json(meeting: Meeting) -> dict[str, Any]:
    tz = meeting.group.programme.organisation.tz
    return {
        "number": meeting.number,
        "starts_at": timezone.localtime(meeting.starts_at, tz).isoformat(),
        "ends_at": timezone.localtime(meeting.ends_at, tz).isoformat(),
        "planned_date": meeting.planned_date.isoformat() if meeting.planned_date else None,
        "moved": {"reason": meeting.move_reason, "note": meeting.move_note, "text": messages.move_text(meeting)}
        if meeting.move_reason
        else None,
        "theme": messages.theme_name(meeting),
    }


class Command(BaseCommand):
    help = "Generate the meeting schedules of a programme's groups and queue the invitations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("programme", help="The programme: its number or its address name.")
        parser.add_argument(
            "--group",
            action="extend",
            nargs="+",
            default=[],
            metavar="NAME_OR_ID",
            help="Only these groups (their names or numbers). Without it, every group that has no schedule yet.",
        )
        parser.add_argument(
            "--rule",
            choices=MoveRule.values,
            help="Where a meeting on a public holiday or in a closed period goes; the programme's rule by default.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only show the dates; store and send nothing.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of the summary.")
        parser.add_argument("--organisation", metavar="SLUG", help="The organisation, when the address name is shared.")

    def handle(self, *args: Any, **options: Any) -> None:
        database_check()
        programme = programme_find(options["programme"], options.get("organisation"))
        named = bool(options["group"])
        groups = self._groups(programme, options["group"])
        rule = options.get("rule") or programme.move_rule
        dry_run = bool(options["dry_run"])
        scheduled = set(Meeting.objects.filter(group__in=groups).values_list("group_id", flat=True))
        skipped = [] if named else [g for g in groups if g.pk in scheduled]
        chosen = groups if named else [g for g in groups if g.pk not in scheduled]
        outcomes = [self._preview(g, rule) if dry_run else self._generate(g, rule) for g in chosen]
        if options["json"]:
            body = {
                "programme": programme.pk,
                "rule": rule,
                "dry_run": dry_run,
                "groups": [outcome.as_json() for outcome in outcomes],
                "already_scheduled": [{"id": g.pk, "name": g.name} for g in skipped],
            }
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
        else:
            self._print(programme, outcomes, skipped, dry_run=dry_run)
        refused = [o for o in outcomes if o.error]
        if refused:
            raise CommandError(
                ngettext(
                    "%(n)s group could not be scheduled: %(names)s. See why above.",
                    "%(n)s groups could not be scheduled: %(names)s. See why above.",
                    len(refused),
                )
                % {"n": len(refused), "names": ", ".join(o.group.name for o in refused)},
                returncode=EXIT_REFUSED,
            )

    # --- which groups --------------------------------------------------------------------------

    def _groups(self, programme: Programme, given: list[str]) -> list[Group]:
        groups = Group.objects.filter(programme=programme).select_related("programme__organisation", "time_slot")
        if not given:
            return list(groups.order_by("start_date", "name", "pk"))
        found: dict[int, Group] = {}
        for value in given:
            text = value.strip()
            number = whole_number(text)
            lookup = Q(name__iexact=text) | (Q(pk=number) if number is not None else Q(pk__in=[]))
            group = groups.filter(lookup).order_by("pk").first()
            if group is None:
                raise usage_error(
                    _("The programme %(programme)s has no group %(group)s.")
                    % {"programme": programme.name, "group": value}
                )
            found.setdefault(group.pk, group)
        return list(found.values())

    # --- doing it --------------------------------------------------------------------------------

    def _generate(self, group: Group, rule: str) -> Outcome:
        try:
            services.schedule_generate(group=group, actor=None, rule=rule)
        except ValidationError as error:
            return Outcome(group=group, error=" ".join(error.messages))
        meetings = list(
            Meeting.objects.filter(group=group)
            .select_related("group__programme__organisation", "theme")
            .order_by("starts_at", "number")
        )
        return Outcome(
            group=group,
            meetings=meetings,
            invitations=Notification.objects.filter(kind=messages.KIND_INVITATION, subject=subject_key(group)).count(),
            reminders=Notification.objects.filter(
                kind=messages.KIND_REMINDER, subject__in=[subject_key(m) for m in meetings]
            ).count(),
        )

    def _preview(self, group: Group, rule: str) -> Outcome:
        if Meeting.objects.filter(group=group).exists():
            return Outcome(group=group, error=_("The group already has its schedule."))
        try:
            planned = services.schedule_preview(group=group, rule=rule)
        except ValidationError as error:
            return Outcome(group=group, error=" ".join(error.messages))
        length = group.programme.meeting_length_minutes
        # Unsaved meetings, so the preview is printed exactly as the stored schedule would be.
        meetings = [
            Meeting(
                group=group,
                number=item.number,
                starts_at=item.starts_at,
                length_minutes=length,
                planned_date=item.planned_date,
                move_reason=item.move_reason,
                move_note=item.move_note,
            )
            for item in planned
        ]
        if planned and planned[0].starts_at <= timezone.now():
            return Outcome(group=group, error=_("The group's first meeting would already be in the past."))
        return Outcome(group=group, meetings=meetings)

    # --- printing --------------------------------------------------------------------------------

    def _print(self, programme: Programme, outcomes: list[Outcome], skipped: list[Group], *, dry_run: bool) -> None:
        write = self.stdout.write
        title = localized(programme.title) or programme.name
        if not outcomes:
            if skipped:
                write(_("Every group of %(programme)s already has its schedule.") % {"programme": title})
            else:
                write(_("%(programme)s has no groups yet.") % {"programme": title})
            return
        heading = (
            _("Schedules for %(programme)s (dry run: nothing is stored or sent)")
            if dry_run
            else _("Schedules for %(programme)s")
        )
        write(heading % {"programme": title})
        for outcome in outcomes:
            write("")
            group = outcome.group
            if outcome.meetings:
                write(
                    ngettext("%(group)s: %(n)s meeting", "%(group)s: %(n)s meetings", len(outcome.meetings))
                    % {"group": group.name, "n": len(outcome.meetings)}
                )
                for meeting in outcome.meetings:
                    write("  " + self._line(meeting))
            if outcome.error:
                write(_("%(group)s: not scheduled. %(why)s") % {"group": group.name, "why": outcome.error})
            elif not dry_run:
                write(
                    "  "
                    + _("Invitations queued: %(invitations)s; reminders: %(reminders)s.")
                    % {"invitations": outcome.invitations, "reminders": outcome.reminders}
                )
        if skipped:
            write("")
            write(_("Already scheduled, left as they are: %(names)s.") % {"names": ", ".join(g.name for g in skipped)})
        done = [o for o in outcomes if not o.error]
        write("")
        if dry_run:
            write(
                ngettext(
                    "%(n)s group can be scheduled. Run again without --dry-run to store it and invite everyone.",
                    "%(n)s groups can be scheduled. Run again without --dry-run to store them and invite everyone.",
                    len(done),
                )
                % {"n": len(done)}
            )
        else:
            write(ngettext("%(n)s group scheduled.", "%(n)s groups scheduled.", len(done)) % {"n": len(done)})

    def _line(self, meeting: Meeting) -> str:
        when = messages.when(meeting)
        parts = [f"{meeting.number}  {when['date']} {when['start']}–{when['end']}"]
        theme = messages.theme_name(meeting)
        if theme:
            parts.append(theme)
        moved = messages.move_text(meeting)
        if moved:
            parts.append(moved)
        return "  ".join(parts)
