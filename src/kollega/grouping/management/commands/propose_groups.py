"""``kollega propose-groups PROGRAMME [--time-limit SECONDS] [--weights GOAL=N …] [--json]``.

Asks the optimiser for a proposal of groups for the programme's accepted
applicants who are in no group yet, runs it in this process (not as a
background job) and prints what it found: the status in words, the objective,
the proven bound and the gap, each goal's score beside the simple method's,
the groups with their members, the people left out and why. The proposal is
stored like one asked for on the groups page, so the coordinator can open it
there, move people and accept it; this command never accepts.

Exit status: 0 everyone placed; 1 no proposal that places everyone (people
left out, the rules cannot hold, or the run failed); 2 a usage error (unknown
programme, a time limit or weight out of range).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kollega.core.management.arguments import programme_find, usage_error
from kollega.core.management.preflight import database_check
from kollega.grouping import explain
from kollega.grouping.management.commands._report import Report, report_for
from kollega.grouping.models import ProposalState
from kollega.grouping.optimiser.problem import GOALS
from kollega.grouping.proposals import DEFAULT_TIME_LIMIT, proposal_create, proposal_run

EXIT_NOT_PLACED = 1


class Command(BaseCommand):
    help = "Propose groups for a programme's accepted applicants with the optimiser, and print the proposal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("programme", help="The programme: its number or its address name.")
        parser.add_argument(
            "--time-limit",
            default=str(DEFAULT_TIME_LIMIT),
            metavar="SECONDS",
            help=f"How long the optimiser may search, 1–600 seconds (default {DEFAULT_TIME_LIMIT}).",
        )
        parser.add_argument(
            "--weights",
            nargs="+",
            action="extend",
            default=[],
            metavar="GOAL=N",
            help=f"How much a goal counts, 0–10 (0 switches it off). Goals: {', '.join(GOALS)}.",
        )
        parser.add_argument(
            "--industries", choices=["mix", "same"], help="Mix industries, or keep one industry together."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of the summary.")
        parser.add_argument("--organisation", metavar="SLUG", help="The organisation, when the address name is shared.")

    def handle(self, *args: Any, **options: Any) -> None:
        database_check()
        programme = programme_find(options["programme"], options.get("organisation"))
        weights = self._weights(options["weights"])
        try:
            proposal = proposal_create(
                programme=programme,
                actor=None,
                time_limit=options["time_limit"],
                weights=weights,
                industry_mode=options.get("industries"),
                run=False,
            )
        except ValidationError as error:
            raise usage_error(" ".join(error.messages)) from None
        proposal = proposal_run(proposal_id=proposal.pk)
        report = report_for(proposal)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            self._print(report)
        if proposal.state != ProposalState.DONE:
            raise CommandError(_("The optimiser failed; the reason is printed above."), returncode=EXIT_NOT_PLACED)
        if report.left_out or report.status not in ("optimal", "feasible"):
            raise CommandError(
                _("Not everyone could be placed; see why above. The proposal is number %(number)s.")
                % {"number": proposal.number},
                returncode=EXIT_NOT_PLACED,
            )

    def _weights(self, given: list[str]) -> dict[str, str]:
        weights: dict[str, str] = {}
        for item in given:
            goal, sep, value = item.partition("=")
            if not sep or not goal.strip() or not value.strip():
                raise usage_error(
                    _("Write a weight as GOAL=N, for example industry=5, not %(value)s.") % {"value": item}
                )
            if goal.strip() not in GOALS:
                raise usage_error(
                    _("Unknown goal %(goal)s: use %(goals)s.") % {"goal": goal.strip(), "goals": ", ".join(GOALS)}
                )
            weights[goal.strip()] = value.strip()
        return weights

    def _print(self, report: Report) -> None:
        write = self.stdout.write
        write(
            _("Proposal %(number)s for %(programme)s (%(status)s)")
            % {"number": report.number, "programme": report.programme, "status": report.status or report.state}
        )
        write(report.status_words)
        if report.objective is not None:
            write(
                _("Objective %(objective)s, proven bound %(bound)s, gap %(gap)s %%, %(seconds)s s.")
                % {
                    "objective": report.objective,
                    "bound": "–" if report.bound is None else report.bound,
                    "gap": explain.gap_percent(report.gap) or "–",
                    "seconds": number_format(report.wall_seconds or 0, decimal_pos=1),
                }
                + " "
                + report.split_words
            )
        if report.error:
            write(report.error)
        if report.goals:
            write("")
            write(_("Goals (penalties: lower is better, 0 is perfect)"))
            width = max(len(label) for label, _score, _base in report.goal_rows())
            head = _("this proposal")
            write(f"  {'':<{width}}  {head:>13}  {_('simple method'):>13}")
            for label, score, baseline in report.goal_rows():
                base = "–" if baseline is None else str(baseline)
                write(f"  {label:<{width}}  {score:>13}  {base:>13}")
        write("")
        if report.groups:
            write(_("Groups"))
            for group in report.groups:
                write(
                    "  "
                    + _("%(name)s (%(slot)s, %(size)s people): %(members)s")
                    % {
                        "name": group.name,
                        "slot": group.slot_label,
                        "size": len(group.members),
                        "members": ", ".join(group.names) or "–",
                    }
                )
        else:
            write(_("No groups."))
        if report.left_out:
            write("")
            write(
                _("Left out (%(n)s): %(names)s")
                % {"n": len(report.left_out), "names": ", ".join(report.name(k) for k in report.left_out)}
            )
        if report.conflicts:
            write("")
            write(_("Why not everyone can be placed:"))
            for message in report.conflict_messages:
                write(f"  - {message}")
