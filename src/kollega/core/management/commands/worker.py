"""``kollega worker``: the background-job consumer (Huey).

Exactly one worker in an installation schedules the periodic jobs (the
default); extra workers are started with ``--consume-only``. SIGINT stops the
worker after the jobs in hand are done; SIGTERM stops it at once (a message
being sent then may go twice, never zero times).
"""

from __future__ import annotations

import logging
import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHueyCommand

from kollega.core.management.preflight import database_check, redis_check


class Command(RunHueyCommand):
    help = (
        "Run the background-job worker. Exactly one worker should schedule the periodic jobs; "
        "start any extra workers with --consume-only."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--consume-only",
            action="store_true",
            help="Only run queued jobs; do not schedule the periodic ones (for every worker but one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        database_check()
        redis_check()
        from huey.contrib.djhuey import HUEY

        huey_settings: dict[str, Any] = settings.HUEY
        consumer_options: dict[str, Any] = dict(huey_settings.get("consumer", {}))
        known = set(ConsumerConfig._fields)
        consumer_options.update({k: v for k, v in options.items() if k in known and v is not None})
        if options["consume_only"]:
            consumer_options["periodic"] = False
        if not options.get("disable_autoload"):
            autodiscover_modules("tasks")
        config = ConsumerConfig(**consumer_options)
        try:
            config.validate()
        except ValueError as exc:
            raise SystemExit(f"kollega: {exc}") from exc
        if config.logfile or config.verbose is not None:
            # Asked for huey's own log file or level; otherwise Django's LOGGING prints the "huey" logger.
            logger = logging.getLogger("huey")
            config.setup_logger(logger)
            logger.propagate = False
        consumer = HUEY.create_consumer(**config.values)
        storage = "Redis" if settings.KOLLEGA_REDIS_URL else "SQLite"
        role = "runs jobs only" if options["consume_only"] else "runs jobs and schedules the periodic ones"
        self.stdout.write(f"Kollega worker ({storage} queue) {role}. Stop it with Ctrl-C.")
        self.stdout.flush()
        # Until the consumer has put up its own signal handlers (at the end of its start-up), a stop
        # request interrupts the start-up; it then stops what has started and exits cleanly.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            consumer.run()
        except KeyboardInterrupt:
            # Threads may not all have started yet, so there is nothing to wait for; a
            # job cut short runs again (jobs are safe to run twice).
            consumer.stop(graceful=False)
            self.stdout.write("Stopped during start-up.")
        finally:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
