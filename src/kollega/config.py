"""Reading Kollega's configuration from the environment.

Every variable is parsed here, once, so that a wrong value produces one clear
line naming the variable instead of a traceback deep inside Django.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import environ


def redact(url: str) -> str:
    """The URL without its password, safe to print."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the variable."""


PRODUCTION = "production"


@dataclass(frozen=True)
class Config:
    env: str
    debug: bool
    data_dir: Path
    secret_key: str
    allowed_hosts: list[str]
    database: dict[str, Any]
    database_url: str
    redis_url: str | None
    email: dict[str, Any] | None
    default_from_email: str
    base_url: str
    csrf_trusted_origins: list[str]
    trusted_proxies: int

    @property
    def is_production(self) -> bool:
        return self.env == PRODUCTION


def _bool(name: str, value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _secret_key(env: dict[str, str], production: bool, data_dir: Path) -> str:
    key = env.get("SECRET_KEY", "").strip()
    if key:
        if production and len(key) < 32:
            raise ConfigError("SECRET_KEY is too short for production: use at least 32 random characters")
        return key
    if production:
        raise ConfigError("SECRET_KEY is not set; production needs a long random value")
    # Outside production the key is generated once and kept beside the data,
    # so that sessions and signed links survive restarts.
    path = data_dir / "secret_key"
    try:
        if path.exists():
            return path.read_text().strip()
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        # Created exclusively: when two processes start at once, both use the first one's key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        return key
    except OSError as exc:
        raise ConfigError(
            f"KOLLEGA_DATA_DIR ({data_dir}) cannot be used: {exc.strerror or exc}; point it at a writable folder"
        ) from exc


def _database(url: str, data_dir: Path) -> dict[str, Any]:
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"DATABASE_URL must start with sqlite:/// or postgres://, not {scheme + '://' if scheme else repr(url)}"
        )
    try:
        db = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several kinds
        raise ConfigError(f"DATABASE_URL cannot be read: {exc}") from exc
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db.get("NAME") or "")
        if not name or name == ":memory:":
            raise ConfigError("DATABASE_URL names no SQLite file; use sqlite:////absolute/path/kollega.sqlite3")
        try:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"DATABASE_URL names a SQLite file in a folder that cannot be made: {Path(name).parent} "
                f"({exc.strerror or exc})"
            ) from exc
        # WAL lets the web server read while the worker writes.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        db["ENGINE"] = "django.db.backends.postgresql"
        db.setdefault("CONN_MAX_AGE", 60)
        db["CONN_HEALTH_CHECKS"] = True
        db.setdefault("OPTIONS", {})["connect_timeout"] = 5
    db["ATOMIC_REQUESTS"] = False
    return db


def _redis(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(f"REDIS_URL must start with redis://, rediss:// or unix://, not {redact(url)!r}")
    if parts.scheme != "unix" and not parts.hostname:
        raise ConfigError(f"REDIS_URL names no host: {redact(url)!r}")
    return url


def _email(url: str | None, production: bool) -> dict[str, Any] | None:
    if not url:
        if production:
            raise ConfigError(
                "EMAIL_URL is not set; production needs an SMTP server, e.g. smtp+tls://user:pass@host:587"
            )
        return None
    scheme = urlsplit(url).scheme
    if production and scheme not in {"smtp", "smtps", "smtp+tls", "smtp+ssl"}:
        # Sign-in codes must reach people, not a log or a file.
        raise ConfigError(f"EMAIL_URL must be an SMTP server in production (smtp+tls://, smtps://), not {scheme}://")
    if scheme not in {"smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail"}:
        raise ConfigError(
            f"EMAIL_URL must start with smtp://, smtp+tls://, smtps:// or consolemail://, not {redact(url)!r}"
        )
    try:
        conf = environ.Env.email_url_config(url)
    except Exception as exc:
        raise ConfigError(f"EMAIL_URL cannot be read: {exc}") from exc
    conf["EMAIL_TIMEOUT"] = 20
    return conf


def _hosts(value: str | None, production: bool) -> list[str]:
    if not value:
        if production:
            raise ConfigError(
                "ALLOWED_HOSTS is not set; production needs the site's host name, e.g. kollega.example.org"
            )
        return ["127.0.0.1", "localhost", "[::1]", "testserver"]
    return [h.strip() for h in value.split(",") if h.strip()]


def load(environ_: dict[str, str] | None = None) -> Config:
    env = dict(os.environ if environ_ is None else environ_)
    kind = env.get("KOLLEGA_ENV", "development").strip().lower() or "development"
    if kind not in {"development", "test", PRODUCTION}:
        raise ConfigError(f"KOLLEGA_ENV must be development, test or production, not {kind!r}")
    production = kind == PRODUCTION
    if env.get("KOLLEGA_DATA_DIR"):
        data_dir = Path(env["KOLLEGA_DATA_DIR"]).resolve()
    elif kind == "test":
        # Each test run keeps its files (secret key, job store) apart from the demo's.
        data_dir = Path(tempfile.mkdtemp(prefix="kollega-test-"))
    else:
        data_dir = (Path.cwd() / "data").resolve()
    debug = _bool("DEBUG", env.get("DEBUG"), default=not production)
    if production and debug:
        raise ConfigError("DEBUG must not be on in production")
    database_url = env.get("DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'kollega.sqlite3'}"
    allowed_hosts = _hosts(env.get("ALLOWED_HOSTS"), production)
    base_url = env.get("KOLLEGA_BASE_URL", "").strip().rstrip("/")
    if not base_url:
        base_url = f"https://{allowed_hosts[0]}" if production else "http://127.0.0.1:8000"
    if urlsplit(base_url).scheme not in {"http", "https"}:
        raise ConfigError(f"KOLLEGA_BASE_URL must start with http:// or https://, not {base_url!r}")
    origins = [o.strip() for o in env.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
    proxies_raw = env.get("KOLLEGA_TRUSTED_PROXIES", "").strip()
    if proxies_raw:
        if not (proxies_raw.isascii() and proxies_raw.isdigit()) or int(proxies_raw) > 5:
            raise ConfigError(f"KOLLEGA_TRUSTED_PROXIES must be a number from 0 to 5, not {proxies_raw!r}")
        trusted_proxies = int(proxies_raw)
    else:
        # In production Kollega normally sits behind one reverse proxy that terminates TLS.
        trusted_proxies = 1 if production else 0
    return Config(
        env=kind,
        debug=debug,
        data_dir=data_dir,
        secret_key=_secret_key(env, production, data_dir),
        allowed_hosts=allowed_hosts,
        database=_database(database_url, data_dir),
        database_url=database_url,
        redis_url=_redis(env.get("REDIS_URL", "").strip() or None),
        email=_email(env.get("EMAIL_URL", "").strip() or None, production),
        default_from_email=env.get("DEFAULT_FROM_EMAIL", "").strip() or "Kollega <kollega@localhost>",
        base_url=base_url,
        csrf_trusted_origins=origins,
        trusted_proxies=trusted_proxies,
    )
