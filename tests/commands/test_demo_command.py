"""``kollega demo`` as a new user runs it: serves the demo, prints links that sign in, stops on Ctrl-C."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, build_opener

import pytest

from tests.support.processes import Running, alive, child_pids, free_port, kollega_env, run_kollega


def get(url: str, jar: CookieJar | None = None) -> tuple[int, str]:
    opener = build_opener(HTTPCookieProcessor(jar if jar is not None else CookieJar()))
    with opener.open(url, timeout=20) as response:
        return response.status, response.read().decode()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_demo_serves_the_site_and_the_printed_links_sign_in(
    migrated_dir: Path, start: Callable[..., Running], sig: signal.Signals
) -> None:
    port = free_port()
    demo = start("demo", "--port", str(port), env=kollega_env(migrated_dir))
    address = f"http://127.0.0.1:{port}"
    demo.wait_for(rf"Kollega demo is running at {address}/", timeout=120)
    demo.wait_for("Stop the demo with Ctrl-C")
    output = demo.output
    assert "Built the demo organisation “Esimerkkilän yrityspalvelut (demo)”" in output
    assert "password vertaistuki-demo" in output

    status, home = get(address + "/")
    assert status == 200
    assert "Kaisa Esimerkki" not in home

    links = {
        label: demo.wait_for(rf"{label}.*: (?P<name>.+)\n\s+(?P<url>{address}/\S+)").groupdict()
        for label in ("Coordinator", "Facilitator", "Participant", "Applicant")
    }
    assert links["Coordinator"]["name"] == "Kaisa Esimerkki"
    for found in links.values():
        jar = CookieJar()
        status, page = get(found["url"], jar)
        assert status == 200
        assert found["name"] in page  # the page after the link names the person signed in
        assert any(cookie.name == "sessionid" for cookie in jar)

    children = child_pids(demo.process.pid)
    assert len(children) == 2  # the web server and one worker
    assert demo.stop(sig) == 0
    assert not any(alive(pid) for pid in children)
    assert "Traceback" not in demo.output
    assert "Consumer exiting" in demo.output  # the worker stopped in order, not killed
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_demo_twice_keeps_the_demo_and_reset_rebuilds_it(migrated_dir: Path) -> None:
    env = kollega_env(migrated_dir)
    first = run_kollega("demo", "--no-serve", env=env)
    assert first.returncode == 0, first.stderr
    assert "Built the demo organisation" in first.stdout
    again = run_kollega("demo", "--no-serve", env=env)
    assert "exists and is kept" in again.stdout
    reset = run_kollega("demo", "--no-serve", "--reset", env=env)
    assert reset.returncode == 0, reset.stderr
    assert "Built the demo organisation" in reset.stdout


def test_demo_says_in_one_line_when_the_port_is_taken(data_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_kollega("demo", "--port", str(port), env=kollega_env(data_dir))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"kollega: Port {port} on 127.0.0.1 is already in use (Address already in use): "
        "stop the other server or choose another port with --port"
    ]
    assert "Preparing the database" not in result.stdout  # refused before doing anything
