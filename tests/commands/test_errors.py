"""A wrong setting or a service that cannot be reached is one line naming the variable, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import free_port, kollega_env, run_kollega

PRODUCTION = {
    "KOLLEGA_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
    "ALLOWED_HOSTS": "kollega.example.org",
}
GUNICORN = [sys.executable, "-m", "gunicorn", "kollega.wsgi:application"]
UNREACHABLE_POSTGRES = "postgres://postgres@127.0.0.1:1/kollega"


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one line on stderr and no traceback; that line."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://root@127.0.0.1/kollega", "DATABASE_URL must start with sqlite:/// or postgres://"),
        ("sqlite://", "DATABASE_URL names no SQLite file"),
    ],
)
def test_a_database_url_of_the_wrong_kind_is_one_line(data_dir: Path, url: str, words: str) -> None:
    line = one_line(run_kollega("migrate", env=kollega_env(data_dir, DATABASE_URL=url)))
    assert line.startswith("kollega: ")
    assert words in line


@pytest.mark.parametrize("command", [["migrate"], ["showmigrations"], ["demo", "--no-serve"], ["worker"]])
def test_an_unreachable_postgres_is_one_line_naming_database_url(data_dir: Path, command: list[str]) -> None:
    line = one_line(run_kollega(*command, env=kollega_env(data_dir, DATABASE_URL=UNREACHABLE_POSTGRES)))
    assert line.startswith("kollega: DATABASE_URL (postgres://postgres@127.0.0.1:1/kollega) cannot be used")
    assert "Connection refused" in line


def test_a_password_in_the_database_url_is_not_printed(data_dir: Path) -> None:
    url = "postgres://kollega:hunter2-secret@127.0.0.1:1/kollega"
    line = one_line(run_kollega("migrate", env=kollega_env(data_dir, DATABASE_URL=url)))
    assert "hunter2-secret" not in line
    assert "postgres://kollega:***@127.0.0.1:1/kollega" in line


def test_a_missing_postgres_database_is_one_line(data_dir: Path) -> None:
    url = "postgres://postgres@127.0.0.1:5432/kollega_no_such_database"
    line = one_line(run_kollega("migrate", env=kollega_env(data_dir, DATABASE_URL=url)))
    assert "DATABASE_URL" in line
    assert 'database "kollega_no_such_database" does not exist' in line


def test_a_redis_url_of_the_wrong_kind_is_one_line(data_dir: Path) -> None:
    line = one_line(run_kollega("worker", env=kollega_env(data_dir, REDIS_URL="http://127.0.0.1:6379/0")))
    assert line == "kollega: REDIS_URL must start with redis://, rediss:// or unix://, not 'http://127.0.0.1:6379/0'"


@pytest.mark.parametrize("command", [["worker"], ["demo", "--no-serve"], ["serve"]])
def test_an_unreachable_redis_is_one_line_naming_redis_url(migrated_dir: Path, command: list[str]) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    line = one_line(run_kollega(*command, env=kollega_env(migrated_dir, REDIS_URL=url, DEBUG="false")))
    assert line.startswith(f"kollega: REDIS_URL ({url}) cannot be used")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "EMAIL_URL", "ALLOWED_HOSTS"])
@pytest.mark.parametrize("command", [["check"], ["serve"], ["worker"]])
def test_production_refuses_to_start_without_a_required_setting(
    data_dir: Path, missing: str, command: list[str]
) -> None:
    line = one_line(run_kollega(*command, env=kollega_env(data_dir, **{**PRODUCTION, missing: None})))
    assert line.startswith(f"kollega: {missing} is not set")


def test_gunicorn_started_directly_says_one_line_about_a_missing_setting(data_dir: Path) -> None:
    env = kollega_env(data_dir, **{**PRODUCTION, "SECRET_KEY": None})
    result = subprocess.run(
        [*GUNICORN, "--bind", f"127.0.0.1:{free_port()}", "--workers", "1", "--no-control-socket"],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    ours = [line for line in result.stderr.splitlines() if line.startswith("kollega:")]
    assert ours == ["kollega: SECRET_KEY is not set; production needs a long random value"]


def test_demo_refuses_to_run_in_production(data_dir: Path) -> None:
    line = one_line(run_kollega("demo", env=kollega_env(data_dir, **PRODUCTION)))
    assert "does not run with KOLLEGA_ENV=production" in line


def test_serve_refuses_a_database_with_unapplied_migrations(data_dir: Path) -> None:
    line = one_line(run_kollega("serve", env=kollega_env(data_dir, DEBUG="false")))
    assert line.startswith("kollega: The database has")
    assert line.endswith("run kollega migrate")


def test_a_command_on_an_empty_database_says_to_migrate(data_dir: Path) -> None:
    line = one_line(
        run_kollega("create-organisation", "Testila", "--coordinator", "a@example.org", env=kollega_env(data_dir))
    )
    assert "run kollega migrate" in line
