"""``kollega demo``: try Kollega on this computer.

Migrates the database, loads the demo organisation unless it exists
(``--reset`` rebuilds it), then runs the web server and one background worker
together and prints one-click sign-in links. Ctrl-C (or SIGTERM) stops both.
Refused in production.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from kollega.core.management.preflight import StartupError, database_check, port_check, redis_check

STOP_TIMEOUT_SECONDS = 15
READY_TIMEOUT_SECONDS = 60
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 - only used to pick the address to print


class Command(BaseCommand):
    help = (
        "Load the demo and run the web server and one background worker together, "
        "with sign-in links for the demo's coordinator, facilitator and participant. Not for production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--reset", action="store_true", help="Delete the demo organisation and build it anew.")
        parser.add_argument(
            "--no-serve", action="store_true", help="Only prepare the database and the demo, then stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.CONFIG.is_production:
            raise StartupError(
                "the demo is for trying Kollega out and does not run with KOLLEGA_ENV=production; use kollega serve"
            )
        host, port, serve = options["host"], options["port"], not options["no_serve"]
        database_check()
        redis_check()
        if serve:
            port_check(host, port)
        self.say(_("Preparing the database…"))
        call_command("migrate", interactive=False, verbosity=0)

        from kollega.core.demo import demo_build

        result = demo_build(reset=options["reset"])
        if result.created:
            self.say(_("Built the demo organisation “%(name)s”.") % {"name": result.organisation.name})
        else:
            self.say(
                _("The demo organisation “%(name)s” exists and is kept; kollega demo --reset builds it anew.")
                % {"name": result.organisation.name}
            )
        if not serve:
            return

        display_host = "127.0.0.1" if host in WILDCARD_HOSTS else host
        address = f"http://{display_host}:{port}" if ":" not in display_host else f"http://[{display_host}]:{port}"
        env = dict(os.environ)
        env.setdefault("KOLLEGA_BASE_URL", address)
        if host in WILDCARD_HOSTS and not env.get("ALLOWED_HOSTS"):
            env["ALLOWED_HOSTS"] = "*"  # reachable from other machines by any name; this is a demo
        connections.close_all()

        with self.children(host, port, env) as (web, worker):
            self.wait_until_ready(display_host, port, web)
            if web.poll() is None:
                self.print_links(address, result)
            code = self.supervise(web, worker)
        if code:
            sys.exit(code)

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    @contextmanager
    def children(
        self, host: str, port: int, env: dict[str, str]
    ) -> Iterator[tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]]:
        stop = threading.Event()

        def on_signal(signum: int, frame: Any) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        self._stop = stop
        kollega = [sys.executable, "-m", "kollega"]
        # Own sessions: Ctrl-C reaches only this process, which then stops each child once and waits for it.
        # The worker first, so that its start-up lines come before the links printed once the web server answers.
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*kollega, "worker", "--workers", "1"], env=env, start_new_session=True
        )
        listen = [f"[{host}]:{port}", "--ipv6"] if ":" in host else [f"{host}:{port}"]
        web = subprocess.Popen(  # noqa: S603
            [*kollega, "runserver", *listen, "--noreload", "--skip-checks"], env=env, start_new_session=True
        )
        try:
            yield web, worker
        finally:
            for child in (web, worker):
                _stop_child(child)
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def wait_until_ready(self, host: str, port: int, web: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not self._stop.is_set():
            if web.poll() is not None:
                return
            try:
                with socket.create_connection((host, port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)

    def print_links(self, address: str, result: Any) -> None:
        from kollega.accounts.services import sign_in_link_make

        rows = [
            (_("Coordinator"), result.coordinator),
            (_("Facilitator"), result.facilitators[0]),
            (_("Participant (finished pilot)"), result.participant),
            (_("Applicant (live programme)"), result.applicant),
        ]
        lines = [
            "",
            _("Kollega demo is running at %(address)s/") % {"address": address},
            _("Sign in with one click:"),
        ]
        for label, user in rows:
            lines.append(f"  {label}: {user.display_name}")
            lines.append(f"    {address}{sign_in_link_make(user=user)}")
        live = result.live
        lines += [
            _("The live programme's public page, where anyone can register:"),
            f"    {address}/p/{live.organisation.slug}/{live.slug}/",
            _("The coordinator can also sign in with %(email)s and the password %(password)s.")
            % {"email": result.coordinator.email, "password": result.password},
            _("Emails are not sent: they wait in the outbox and are printed here."),
            _("Stop the demo with Ctrl-C."),
            "",
        ]
        self.say("\n".join(lines))

    def supervise(self, web: subprocess.Popen[bytes], worker: subprocess.Popen[bytes]) -> int:
        names = {web: _("web server"), worker: _("background worker")}
        while not self._stop.wait(0.5):
            for child, name in names.items():
                code = child.poll()
                if code is not None:
                    self.stderr.write(
                        _("kollega: the %(name)s stopped unexpectedly (exit status %(code)s); stopping the demo.")
                        % {"name": name, "code": code}
                    )
                    return 1
        self.say(_("Stopping the demo…"))
        return 0


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    """Ask a child to stop as Ctrl-C would, then insist."""
    if child.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, STOP_TIMEOUT_SECONDS), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            child.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
