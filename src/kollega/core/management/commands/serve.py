"""``kollega serve``: the production web server (gunicorn on ``kollega.wsgi``).

It checks first what would otherwise fail on the first request: the database
and Redis can be reached and every migration is applied. In production it
collects the static files before starting (WhiteNoise serves them).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kollega.core.management.preflight import database_check, migrations_check, redis_check

MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """gunicorn's rule of thumb, two per core plus one, capped so a big machine does not run out of memory."""
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


class Command(BaseCommand):
    help = (
        "Run Kollega's web server (gunicorn). Arguments after -- go to gunicorn as they are, "
        "e.g. kollega serve -- --timeout 60."
    )
    requires_system_checks = []  # gunicorn's workers run them; the checks below are the ones that matter here

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--bind", default="0.0.0.0:8000", help="Address to listen on (default 0.0.0.0:8000).")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help=f"Web worker processes (default 2 × cores + 1, at most {MAX_DEFAULT_WORKERS}: {default_workers()}).",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Do not collect static files before starting (when a deployment step already did).",
        )
        parser.add_argument("gunicorn_args", nargs=argparse.REMAINDER, help="Extra arguments for gunicorn.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEBUG:
            # Django's debug pages would show internals to anyone who can reach the server.
            raise CommandError(
                _(
                    "kollega serve is the production server and does not run with DEBUG on: set "
                    "KOLLEGA_ENV=production (or DEBUG=false). To try Kollega, run kollega demo."
                )
            )
        database_check()
        redis_check()
        migrations_check()
        if settings.CONFIG.is_production and not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        extra = list(options["gunicorn_args"] or [])
        if extra and extra[0] == "--":
            extra = extra[1:]
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "kollega.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            *extra,
        ]
        self.stdout.write(f"Starting Kollega on {options['bind']} with {options['workers']} web workers.")
        self.stdout.flush()
        sys.stderr.flush()
        # The checks' database connection must not leak into gunicorn.
        from django.db import connections

        connections.close_all()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollega.settings")
        # gunicorn takes over this process, so it receives the service manager's signals directly.
        os.execv(sys.executable, command)  # noqa: S606
