"""Checks that the commands run before starting, and plain words for what went wrong.

Every problem with the database or Redis becomes one line that names the
variable to fix (``DATABASE_URL``, ``REDIS_URL``), never a traceback.
"""

from __future__ import annotations

import socket

from kollega.config import redact


class StartupError(Exception):
    """Kollega cannot start; the message is one line saying what to fix."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    lines: list[str] = []
    for line in (line.strip() for line in text.splitlines()):
        if line and line not in lines:
            lines.append(line)
    # psycopg adds a hint line (and repeats the failure per address tried): keep the first failure and the hint.
    if len(lines) > 1:
        return f"{lines[0]}; {lines[-1]}"
    return lines[0] if lines else text


def describe_database_error(exc: BaseException) -> str:
    from django.conf import settings

    reason = _first_line(exc)
    if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
        return f"The database has no Kollega tables yet ({reason}): run kollega migrate"
    url = redact(getattr(settings, "KOLLEGA_DATABASE_URL", "") or "")
    return f"DATABASE_URL ({url}) cannot be used: {reason}"


def describe_redis_error(exc: BaseException) -> str:
    from django.conf import settings

    url = redact(getattr(settings, "KOLLEGA_REDIS_URL", "") or "")
    return f"REDIS_URL ({url}) cannot be used: {_first_line(exc)}"


def describe(exc: BaseException) -> str | None:
    """One line for an error caused by an unreachable or wrong database or Redis, else None."""
    if isinstance(exc, StartupError):
        return str(exc)
    from django.db import utils as db_utils

    if isinstance(exc, db_utils.OperationalError | db_utils.InterfaceError):
        return describe_database_error(exc)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    else:
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            return describe_database_error(exc)
    import redis

    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return describe_redis_error(exc)
    return None


def database_check() -> None:
    """Connect to the database now, so that a wrong DATABASE_URL is one line and not a traceback later."""
    from django.db import connection

    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        raise StartupError(describe_database_error(exc)) from exc


def redis_check() -> None:
    """Ping Redis when REDIS_URL is set (the background jobs live there)."""
    from django.conf import settings

    url = getattr(settings, "KOLLEGA_REDIS_URL", None)
    if not url:
        return
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.exceptions.RedisError, OSError) as exc:
        raise StartupError(describe_redis_error(exc)) from exc


def migrations_check() -> None:
    """Refuse to serve a database whose migrations are not all applied."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise StartupError(f"The database has {len(plan)} migration(s) that are not applied yet: run kollega migrate")


def port_check(host: str, port: int) -> None:
    """Say in one line when the address is already taken, before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise StartupError(
                f"Port {port} on {host} is already in use ({exc.strerror}): stop the other server "
                "or choose another port with --port"
            ) from exc
