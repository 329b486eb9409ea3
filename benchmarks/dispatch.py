"""Measure sending meeting reminders: Kollega's sender against plain smtplib with the same messages.

    .venv/bin/python benchmarks/dispatch.py                  # 10,000 reminders, SQLite in a temporary folder
    .venv/bin/python benchmarks/dispatch.py --count 2000     # fewer
    .venv/bin/python benchmarks/dispatch.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/dispatch.py --smoke          # 300 reminders: is each delivered exactly once? (CI)
    .venv/bin/python benchmarks/dispatch.py --json           # one JSON object
    .venv/bin/python benchmarks/dispatch.py --profile 40     # cProfile of the send loop, the top 40 lines

Set-up: a fresh database (SQLite in a temporary KOLLEGA_DATA_DIR, or a new
database made beside the one ``--database-url`` names on a PostgreSQL server,
dropped afterwards), migrated; an organisation, a programme, facilitators and
groups of eight members with their five meetings, made through the services;
then ``meetings.messages.reminder_queue`` for every member and facilitator of
every meeting until there are ``--count`` reminder rows. The reminders are due
weeks ahead; the sender is told that "now" is after the last of them.

Kollega: ``notifications_send_due(limit=500, now=…)`` in a loop until it
claims nothing, one worker, each batch over one SMTP connection, to an
aiosmtpd server on loopback in a thread of the same process that accepts and
counts. Ceiling: the same rows rendered and built into bytes first, untimed,
then handed to the same kind of server with ``smtplib.SMTP.sendmail`` over one
connection, timed. The target (docs/performance.md) is Kollega at half the
ceiling's rate or better. Each phase runs in a child process of its own, so
its peak memory is its own.

Afterwards it checks that the server received exactly one message per row,
with the row's Message-ID, and that every row is "sent"; a failed check exits
with status 1 (speed is never a reason to fail).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

#: Members per group (the template's groups hold 6–12), and two facilitators each.
MEMBERS = 8
LANGUAGES = ("fi", "fi", "fi", "sv", "en")
BATCH = 500
TARGET_RATIO = 0.5
SMOKE_COUNT = 300
MESSAGE_ID = re.compile(rb"^message-id:\s*(<[^>]*>)", re.IGNORECASE | re.MULTILINE)


# --- the loopback mail server ----------------------------------------------------------------


class CountingHandler:
    """Accepts every message at once and notes its Message-ID; no delay, no parsing beyond the header."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        head = re.split(rb"\r?\n\r?\n", content, maxsplit=1)[0]
        found = MESSAGE_ID.search(head)
        self.message_ids.append(found.group(1).decode() if found else "")
        return "250 OK"


def start_server() -> tuple[Any, CountingHandler, int]:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler, port


def delivered_once(expected: list[str], received: list[str]) -> dict[str, int]:
    """How the server's Message-IDs compare with the rows': missing, duplicated and unknown ones."""
    seen = Counter(received)
    wanted = set(expected)
    return {
        "received": len(received),
        "missing": sum(1 for mid in wanted if seen[mid] == 0),
        "duplicated": sum(count - 1 for mid, count in seen.items() if mid in wanted and count > 1),
        "unknown": sum(count for mid, count in seen.items() if mid not in wanted),
    }


def peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def django_setup() -> None:
    import logging

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollega.settings")
    django.setup()
    # aiosmtpd logs every SMTP command at INFO; that would be the benchmark's own cost, not the sender's.
    logging.getLogger("mail.log").setLevel(logging.WARNING)


# --- phase 1: the data, through the services ------------------------------------------------


def phase_setup(count: int) -> dict[str, Any]:
    django_setup()
    from datetime import time as clock
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from kollega.core import services as core
    from kollega.core.models import Role, Status
    from kollega.grouping.services import group_add_member, group_create
    from kollega.meetings import messages
    from kollega.meetings.services import meeting_create
    from kollega.notifications.models import Notification, NotificationStatus

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    organisation = core.organisation_create(
        name="Penkkiyrittäjät ry (fictitious)", support_email="tuki@penkki.example.org"
    )
    programme = core.programme_create_from_template(
        organisation=organisation, title={"fi": "Syksyn vertaisryhmät", "en": "Autumn peer groups"}
    )
    slot = programme.time_slots.first()
    assert slot is not None
    coordinator = core.user_get_or_create(email="koordinaattori@penkki.example.org", full_name="Kaisa Koordinaattori")
    core.staff_membership_add(organisation=organisation, user=coordinator, role=Role.COORDINATOR)
    per_group = (MEMBERS + 2) * programme.meeting_count
    groups = -(-count // per_group)
    facilitators = []
    for n in range(max(2, 2 * (-(-groups // 6)))):  # each facilitator has about three groups
        user = core.user_get_or_create(email=f"ohjaaja{n}@penkki.example.org", full_name=f"Ohjaaja {n}")
        core.staff_membership_add(organisation=organisation, user=user, role=Role.FACILITATOR)
        facilitators.append(user)
    start = timezone.localdate() + timedelta(days=30)
    first = datetime.combine(start, clock(17, 0), tzinfo=organisation.tz)
    meetings = []
    for g in range(groups):
        with transaction.atomic():
            group = group_create(
                programme=programme,
                name=f"Ryhmä {g + 1:04d}",
                time_slot=slot,
                weekday=start.weekday(),
                start_date=start,
                lead_facilitator=facilitators[(2 * g) % len(facilitators)],
                co_facilitator=facilitators[(2 * g + 1) % len(facilitators)],
                actor=coordinator,
            )
            for m in range(MEMBERS):
                person = core.participant_create(
                    programme=programme,
                    email=f"jasen{g}-{m}@penkki.example.org",
                    full_name=f"Jäsen {g}-{m}",
                    language=LANGUAGES[(g + m) % len(LANGUAGES)],
                )
                for status in (Status.INTERVIEW_BOOKED, Status.INTERVIEWED, Status.ACCEPTED):
                    core.participant_change_status(participant=person, to_status=status, actor=coordinator)
                group_add_member(group=group, participant=person, actor=coordinator)
            for number in range(1, programme.meeting_count + 1):
                starts_at = first + timedelta(days=programme.meeting_interval_days * (number - 1))
                meetings.append(meeting_create(group=group, number=number, starts_at=starts_at, actor=coordinator))
    world_seconds = time.perf_counter() - started

    started = time.perf_counter()
    queued = 0
    for meeting in meetings:
        if queued >= count:
            break
        with transaction.atomic():
            for recipient in messages.recipients(meeting.group, meeting):
                if queued >= count:
                    break
                messages.reminder_queue(meeting, recipient)
                queued += 1
    queue_seconds = time.perf_counter() - started

    rows = Notification.objects.filter(kind=messages.KIND_REMINDER)
    last_due = rows.aggregate(last=Max("next_attempt_at"))["last"]
    assert isinstance(last_due, datetime), "no reminder was queued"
    kinds = dict(Counter(Notification.objects.values_list("kind", flat=True)))
    waiting = rows.filter(status=NotificationStatus.PENDING).count()
    return {
        "groups": groups,
        "participants": groups * MEMBERS,
        "meetings": len(meetings),
        "rows": waiting,
        "outbox": kinds,
        "send_now": (last_due + timedelta(minutes=1)).isoformat(),
        "migrate_seconds": round(migrate_seconds, 2),
        "world_seconds": round(world_seconds, 2),
        "queue_seconds": round(queue_seconds, 2),
    }


# --- phase 2: Kollega's sender ---------------------------------------------------------------


def phase_kollega(send_now: str, batch: int, profile: int) -> dict[str, Any]:
    controller, handler, port = start_server()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        django_setup()
        from django.conf import settings

        from kollega.meetings.messages import KIND_REMINDER
        from kollega.notifications.models import Notification, NotificationStatus
        from kollega.notifications.sender import notifications_send_due

        assert settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        from django.urls import reverse

        now = datetime.fromisoformat(send_now)
        # A worker loads the URL configuration once, at its first message; here it is done before the clock starts.
        reverse("meetings:mine")
        rss_before = peak_mib()
        totals: Counter[str] = Counter()

        def loop() -> None:
            while True:
                result = notifications_send_due(limit=batch, now=now)
                if not result.claimed:
                    return
                totals["batches"] += 1
                totals.update(claimed=result.claimed, sent=result.sent, skipped=result.skipped, failed=result.failed)

        profiler = None
        started = time.perf_counter()
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.runcall(loop)
        else:
            loop()
        seconds = time.perf_counter() - started
        if profiler is not None:
            import pstats

            stats = pstats.Stats(profiler, stream=sys.stderr)
            for order in ("tottime", "cumulative"):
                print(f"\n== cProfile of the send loop, by {order} ==", file=sys.stderr)
                stats.sort_stats(order).print_stats(profile)
            print("\n== where one message's time goes ==", file=sys.stderr)
            stats.sort_stats("cumulative").print_callees(r"\(_deliver\)|\(notifications_send_due\)")

        rows = Notification.objects.filter(kind=KIND_REMINDER)
        statuses = dict(Counter(rows.values_list("status", flat=True)))
        check = delivered_once(list(rows.values_list("message_id", flat=True)), list(handler.message_ids))
        check["not_sent"] = rows.exclude(status=NotificationStatus.SENT).count()
        return {
            "seconds": round(seconds, 3),
            "per_second": round(totals["sent"] / seconds, 1) if seconds else 0.0,
            "batches": totals["batches"],
            "sent": totals["sent"],
            "skipped": totals["skipped"],
            "failed": totals["failed"],
            "statuses": statuses,
            "rss_before_mib": rss_before,
            "peak_mib": peak_mib(),
            "profiled": bool(profile),
            "check": check,
        }
    finally:
        controller.stop()


# --- phase 3: the ceiling, plain smtplib with the same messages -------------------------------


def phase_ceiling() -> dict[str, Any]:
    import smtplib

    django_setup()
    from django.conf import settings
    from django.core.mail.message import sanitize_address
    from django.urls import reverse

    from kollega.meetings.messages import KIND_REMINDER
    from kollega.notifications.models import Notification
    from kollega.notifications.rendering import render_notification
    from kollega.notifications.sender import CLAIM_ORDER, build_email

    reverse("meetings:mine")  # the URL configuration loaded, as in the Kollega phase
    rows = list(
        Notification.objects.filter(kind=KIND_REMINDER)
        .select_related("organisation", "recipient_user")
        .order_by(*CLAIM_ORDER)
    )
    started = time.perf_counter()
    rendered = [render_notification(row) for row in rows]
    render_seconds = time.perf_counter() - started
    started = time.perf_counter()
    envelopes = []
    for row, message in zip(rows, rendered, strict=True):
        email = build_email(row, message.subject, message.text, message.html, message.attachments)
        envelopes.append(
            (
                sanitize_address(email.from_email, settings.DEFAULT_CHARSET),
                [sanitize_address(address, settings.DEFAULT_CHARSET) for address in email.recipients()],
                email.message().as_bytes(linesep="\r\n"),
            )
        )
    build_seconds = time.perf_counter() - started

    controller, handler, port = start_server()
    try:
        started = time.perf_counter()
        smtp = smtplib.SMTP("127.0.0.1", port, timeout=20)
        for sender, recipients, content in envelopes:
            smtp.sendmail(sender, recipients, content)
        smtp.quit()
        seconds = time.perf_counter() - started
    finally:
        controller.stop()
    return {
        "seconds": round(seconds, 3),
        "per_second": round(len(envelopes) / seconds, 1) if seconds else 0.0,
        "render_seconds": round(render_seconds, 2),
        "build_seconds": round(build_seconds, 2),
        "mean_kib": round(sum(len(c) for _s, _r, c in envelopes) / max(len(envelopes), 1) / 1024, 1),
        "check": delivered_once([row.message_id for row in rows], list(handler.message_ids)),
    }


# --- running the phases ----------------------------------------------------------------------


def _child(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], queue: multiprocessing.Queue) -> None:
    try:
        queue.put({"ok": fn(*args)})
    except BaseException:
        queue.put({"error": traceback.format_exc()})
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not have started; nothing to close then
            pass


def run_isolated(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(fn, args, queue))
    child.start()
    answer = queue.get()
    child.join()
    if "error" in answer:
        raise SystemExit(f"{fn.__name__} failed:\n{answer['error']}")
    return answer["ok"]


def _postgres(url: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database on the server ``url`` names, and how to drop it."""
    import psycopg

    name = f"kollega_dispatch_{os.getpid()}_{int(time.time())}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="reminder rows to send (default 10,000)")
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_COUNT} rows; check delivery, not speed")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL server (postgresql://…/db): a throwaway database is made there"
    )
    parser.add_argument("--batch", type=int, default=BATCH, help=f"rows per notifications_send_due (default {BATCH})")
    parser.add_argument("--profile", type=int, default=0, metavar="LINES", help="cProfile the send loop (to stderr)")
    args = parser.parse_args()
    count = SMOKE_COUNT if args.smoke else args.count

    data_dir = tempfile.TemporaryDirectory(prefix="kollega-dispatch-")
    drop: Callable[[], None] | None = None
    for name in ("EMAIL_URL", "REDIS_URL", "DATABASE_URL"):
        os.environ.pop(name, None)
    os.environ.update(KOLLEGA_ENV="development", DEBUG="false", KOLLEGA_DATA_DIR=data_dir.name)
    if args.database_url:
        url, drop = _postgres(args.database_url)
        os.environ["DATABASE_URL"] = url
    database = "PostgreSQL" if args.database_url else "SQLite"
    try:
        started = time.perf_counter()
        setup = run_isolated(phase_setup, count)
        setup_seconds = time.perf_counter() - started
        kollega = run_isolated(phase_kollega, setup["send_now"], args.batch, args.profile)
        ceiling = run_isolated(phase_ceiling)
    finally:
        if drop is not None:
            drop()
        data_dir.cleanup()

    ratio = kollega["per_second"] / ceiling["per_second"] if ceiling["per_second"] else 0.0
    problems = []
    if setup["rows"] != count:
        problems.append(f"{setup['rows']} reminder rows were made, not {count}")
    for phase, result in (("Kollega", kollega), ("ceiling", ceiling)):
        check = result["check"]
        if check["received"] != count or check["missing"] or check["duplicated"] or check["unknown"]:
            problems.append(f"{phase}: the server did not receive each message exactly once: {check}")
    if kollega["check"]["not_sent"]:
        problems.append(f"Kollega: {kollega['check']['not_sent']} rows are not sent: {kollega['statuses']}")
    row = {
        "messages": count,
        "database": database,
        "batch": args.batch,
        "setup_seconds": round(setup_seconds, 1),
        "setup": setup,
        "kollega": kollega,
        "ceiling": ceiling,
        "ratio": round(ratio, 3),
        "target": ("met" if ratio >= TARGET_RATIO else "missed") + f" (Kollega ≥ {TARGET_RATIO} × ceiling)",
        "delivered_once": not problems,
        "problems": problems,
    }
    if args.json:
        print(json.dumps(row))
    else:
        print(
            f"# {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
            f"Python {platform.python_version()} · {database}"
        )
        print(
            f"# set-up {setup_seconds:.1f} s: migrate {setup['migrate_seconds']} s, {setup['groups']} groups, "
            f"{setup['participants']} members, {setup['meetings']} meetings in {setup['world_seconds']} s, "
            f"{setup['rows']} reminders queued in {setup['queue_seconds']} s; "
            f"the ceiling's messages rendered in {ceiling['render_seconds']} s and built into MIME bytes in "
            f"{ceiling['build_seconds']} s (untimed), {ceiling['mean_kib']} KiB a message"
        )
        print("| messages | Kollega s | Kollega msg/s | peak RSS MiB | ceiling s | ceiling msg/s | ratio | target |")
        print("|---:|---:|---:|---:|---:|---:|---:|---|")
        verdict = "PASS" if ratio >= TARGET_RATIO else "MISS"
        profiled = " (profiled)" if kollega["profiled"] else ""
        print(
            f"| {count:,} | {kollega['seconds']:.2f}{profiled} | {kollega['per_second']:,.0f} | "
            f"{kollega['peak_mib']} (start {kollega['rss_before_mib']}) | {ceiling['seconds']:.2f} | "
            f"{ceiling['per_second']:,.0f} | {ratio:.2f} | {verdict} (≥ {TARGET_RATIO}) |"
        )
        print(f"# delivered exactly once, all rows sent: {'yes' if not problems else 'NO'}")
        for problem in problems:
            print(f"# {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
