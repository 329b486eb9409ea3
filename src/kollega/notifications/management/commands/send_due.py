"""``kollega send-due [--limit N] [--loop SECONDS]``: send the email that has come due.

Without ``--loop``: sends what is due now, in batches of ``--limit``, until a
batch finds less than a full batch to do, prints one line of totals and exits
with status 0. With ``--loop``: keeps going, looking again every SECONDS when
nothing is due, until SIGTERM or Ctrl-C; a line for each round that did
something, and the totals at the end. This is the periodic mail job without
Huey: for a machine with no worker, or several sender processes side by side.

A stop request (SIGTERM, Ctrl-C) ends the message in hand; the rest of the
batch is given back, waiting, for the next sender. A second Ctrl-C stops at once.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kollega.core.management.arguments import usage_error
from kollega.core.management.preflight import database_check
from kollega.notifications.sender import BatchResult, notifications_send_due

DEFAULT_LIMIT = 200


def summary(total: BatchResult) -> str:
    return _("Sent %(sent)d, failed %(failed)d, skipped %(skipped)d, given up %(given_up)d.") % {
        "sent": total.sent,
        "failed": total.failed,
        "skipped": total.skipped,
        "given_up": total.given_up,
    }


def _add(total: BatchResult, batch: BatchResult) -> None:
    total.claimed += batch.claimed
    total.sent += batch.sent
    total.failed += batch.failed
    total.skipped += batch.skipped
    total.given_up += batch.given_up


class Command(BaseCommand):
    help = "Send the email that has come due, in batches, and retry failures whose wait is over."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=DEFAULT_LIMIT, help=f"Messages per batch (default {DEFAULT_LIMIT})."
        )
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help="Keep going until stopped, looking for due messages again every SECONDS when none are due.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit: int = options["limit"]
        pause: float | None = options.get("loop")
        if limit < 1:
            raise usage_error(_("--limit must be at least 1, not %(value)s.") % {"value": limit})
        if pause is not None and not pause > 0:
            raise usage_error(_("--loop must be more than zero seconds, not %(value)s.") % {"value": pause})
        database_check()
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()
            # A second Ctrl-C stops at once.
            signal.signal(signal.SIGINT, signal.default_int_handler)

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        if pause is not None:
            self.stdout.write(
                _("Sending email as it comes due, looking again every %(seconds)s seconds. Stop with Ctrl-C.")
                % {"seconds": f"{pause:g}"}
            )
            self.stdout.flush()
        try:
            total = self._run(limit, pause, stop)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if pause is not None:
            self.stdout.write(_("Stopped. In all: %(summary)s") % {"summary": summary(total)})
        else:
            self.stdout.write(summary(total))

    def _run(self, limit: int, pause: float | None, stop: threading.Event) -> BatchResult:
        total = BatchResult()
        while not stop.is_set():
            round_total = BatchResult()
            while not stop.is_set():
                batch = notifications_send_due(limit=limit, should_stop=stop.is_set)
                _add(round_total, batch)
                if batch.claimed < limit:
                    break  # less than a full batch: nothing more has come due
            _add(total, round_total)
            if pause is None:
                break
            if round_total.claimed or round_total.given_up:
                self.stdout.write(summary(round_total))
                self.stdout.flush()
            stop.wait(pause)
        return total
