"""Settings come from the environment, with safe defaults and one clear message per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from kollega import config
from kollega.config import ConfigError

SECRET = "s3cret-" + "x" * 40


def load(tmp_path: Path, **env: str) -> config.Config:
    return config.load({"KOLLEGA_DATA_DIR": str(tmp_path), **env})


def production(tmp_path: Path, **env: str) -> dict[str, str]:
    values = {
        "KOLLEGA_DATA_DIR": str(tmp_path),
        "KOLLEGA_ENV": "production",
        "SECRET_KEY": SECRET,
        "EMAIL_URL": "smtp+tls://mailer:pw@mail.example.org:587",
        "ALLOWED_HOSTS": "kollega.example.org",
    }
    values.update(env)
    return {k: v for k, v in values.items() if v != ""}


def test_defaults_need_nothing_set(tmp_path: Path) -> None:
    conf = load(tmp_path)
    assert conf.env == "development"
    assert conf.debug is True
    assert not conf.is_production
    assert conf.data_dir == tmp_path.resolve()
    assert conf.database["ENGINE"] == "django.db.backends.sqlite3"
    assert conf.database["NAME"] == str(tmp_path.resolve() / "kollega.sqlite3")
    assert conf.redis_url is None
    assert conf.email is None  # the outbox and the console
    assert "127.0.0.1" in conf.allowed_hosts
    assert conf.base_url == "http://127.0.0.1:8000"


def test_the_data_folder_defaults_to_data_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    conf = config.load({})
    assert conf.data_dir == (tmp_path / "data").resolve()


def test_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = load(tmp_path).secret_key
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
    assert load(tmp_path).secret_key == first
    assert load(tmp_path / "other").secret_key != first


def test_a_given_secret_key_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    assert load(tmp_path, SECRET_KEY=SECRET).secret_key == SECRET
    assert not (tmp_path / "secret_key").exists()


def test_postgres_database_url(tmp_path: Path) -> None:
    db = load(tmp_path, DATABASE_URL="postgres://kollega:pw@db.example.org:6543/kollega").database
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"], db["PASSWORD"]) == (
        "db.example.org",
        6543,
        "kollega",
        "kollega",
        "pw",
    )
    assert db["OPTIONS"]["connect_timeout"] == 5


def test_sqlite_database_url_creates_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "k.sqlite3"
    db = load(tmp_path, DATABASE_URL=f"sqlite:///{target}").database
    assert db["NAME"] == str(target)
    assert target.parent.is_dir()
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/k", "DATABASE_URL must start with sqlite:/// or postgres://, not mysql://"),
        ("kollega.sqlite3", "DATABASE_URL must start with sqlite:/// or postgres://, not 'kollega.sqlite3'"),
        ("sqlite://", "DATABASE_URL names no SQLite file"),
    ],
)
def test_wrong_database_url_names_the_variable(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, DATABASE_URL=url)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_redis_url_is_used_when_set(tmp_path: Path) -> None:
    assert load(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3").redis_url == "redis://127.0.0.1:6379/3"
    assert load(tmp_path, REDIS_URL="  ").redis_url is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:6379", "REDIS_URL must start with redis://, rediss:// or unix://"),
        ("127.0.0.1:6379", "REDIS_URL must start with redis://, rediss:// or unix://"),
        ("redis:///0", "REDIS_URL names no host"),
    ],
)
def test_wrong_redis_url_names_the_variable(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}"):
        load(tmp_path, REDIS_URL=url)


def test_email_url_configures_smtp(tmp_path: Path) -> None:
    email = load(tmp_path, EMAIL_URL="smtp+tls://mailer:pw@mail.example.org:587").email
    assert email is not None
    assert email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (email["EMAIL_HOST"], email["EMAIL_PORT"], email["EMAIL_USE_TLS"]) == ("mail.example.org", 587, True)
    assert (email["EMAIL_HOST_USER"], email["EMAIL_HOST_PASSWORD"]) == ("mailer", "pw")


def test_wrong_email_url_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^EMAIL_URL must start with smtp://"):
        load(tmp_path, EMAIL_URL="imap://mail.example.org")


def test_allowed_hosts_is_a_comma_separated_list(tmp_path: Path) -> None:
    conf = load(tmp_path, ALLOWED_HOSTS=" kollega.example.org, www.example.org ,")
    assert conf.allowed_hosts == ["kollega.example.org", "www.example.org"]


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("0", False), ("off", False), ("YES", True)])
def test_debug_is_read_as_a_yes_or_no(tmp_path: Path, value: str, expected: bool) -> None:
    assert load(tmp_path, DEBUG=value).debug is expected


def test_debug_of_another_kind_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^DEBUG must be true or false"):
        load(tmp_path, DEBUG="maybe")


def test_unknown_kollega_env_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^KOLLEGA_ENV must be development, test or production"):
        load(tmp_path, KOLLEGA_ENV="staging")


def test_base_url_and_trusted_origins(tmp_path: Path) -> None:
    conf = load(
        tmp_path,
        KOLLEGA_BASE_URL="https://kollega.example.org/",
        CSRF_TRUSTED_ORIGINS="https://kollega.example.org,https://www.example.org",
    )
    assert conf.base_url == "https://kollega.example.org"
    assert conf.csrf_trusted_origins == ["https://kollega.example.org", "https://www.example.org"]
    with pytest.raises(ConfigError, match=r"^KOLLEGA_BASE_URL must start with http"):
        load(tmp_path, KOLLEGA_BASE_URL="kollega.example.org")


def test_default_from_email(tmp_path: Path) -> None:
    assert load(tmp_path, DEFAULT_FROM_EMAIL="Kollega <noreply@example.org>").default_from_email == (
        "Kollega <noreply@example.org>"
    )


def test_production_with_everything_set(tmp_path: Path) -> None:
    conf = config.load(production(tmp_path))
    assert conf.is_production
    assert conf.debug is False
    assert conf.secret_key == SECRET
    assert conf.base_url == "https://kollega.example.org"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY is not set; production needs a long random value"),
        ("EMAIL_URL", "EMAIL_URL is not set; production needs an SMTP server"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS is not set; production needs the site's host name"),
    ],
)
def test_production_refuses_a_missing_setting(tmp_path: Path, missing: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        config.load(production(tmp_path, **{missing: ""}))
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^SECRET_KEY is too short for production"):
        config.load(production(tmp_path, SECRET_KEY="short"))


def test_production_refuses_debug(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^DEBUG must not be on in production"):
        config.load(production(tmp_path, DEBUG="true"))


@pytest.mark.parametrize("url", ["consolemail://", "filemail:///tmp/mail"])
def test_production_sends_mail_only_through_smtp(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="EMAIL_URL must be an SMTP server in production"):
        config.load(production(tmp_path, EMAIL_URL=url))


def test_trusted_proxies_default_to_one_in_production_and_none_elsewhere(tmp_path: Path) -> None:
    assert config.load(production(tmp_path)).trusted_proxies == 1
    assert load(tmp_path).trusted_proxies == 0
    assert config.load(production(tmp_path, KOLLEGA_TRUSTED_PROXIES="0")).trusted_proxies == 0
    assert load(tmp_path, KOLLEGA_TRUSTED_PROXIES="2").trusted_proxies == 2


@pytest.mark.parametrize("value", ["many", "-1", "9"])
def test_wrong_trusted_proxies_names_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="KOLLEGA_TRUSTED_PROXIES"):
        load(tmp_path, KOLLEGA_TRUSTED_PROXIES=value)


def test_error_reports_hide_urls_with_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    from kollega.errors import SettingsHidingFilter

    shown = SettingsHidingFilter().get_safe_settings()
    for name in ("KOLLEGA_DATABASE_URL", "KOLLEGA_REDIS_URL", "CONFIG", "HUEY", "CACHES", "SECRET_KEY"):
        assert shown.get(name, "********************") == "********************", name


def test_errors_never_print_a_password(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, REDIS_URL="http://:S3cret@redis.example.org:6379/0")
    assert "S3cret" not in str(info.value) and "***" in str(info.value)


def test_an_unusable_data_folder_names_the_variable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="KOLLEGA_DATA_DIR"):
        config.load({"KOLLEGA_DATA_DIR": str(blocker / "data")})
