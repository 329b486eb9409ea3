"""Shared test set-up. The environment is fixed before Django loads."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("KOLLEGA_ENV", "test")
os.environ.setdefault("KOLLEGA_DATA_DIR", tempfile.mkdtemp(prefix="kollega-test-"))
# Sync Playwright runs an event loop in the main thread; the live server's
# database set-up must still be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Property tests: fewer examples on CI keeps the whole run well inside its time budget.
_hypothesis_common = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
hypothesis_settings.register_profile("ci", max_examples=25, **_hypothesis_common)
hypothesis_settings.register_profile("dev", max_examples=60, **_hypothesis_common)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that prove PostgreSQL behaviour (races, row locks) are left out on SQLite.

    They are deselected, not skipped: on PostgreSQL every one of them runs.
    """
    if _on_postgres():
        return
    kept, left_out = [], []
    for item in items:
        (left_out if item.get_closest_marker("postgres") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> str:
    db = "PostgreSQL" if _on_postgres() else "SQLite (PostgreSQL-only tests left out)"
    return (
        f"kollega: database {db}; Redis {'at ' + os.environ['REDIS_URL'] if os.environ.get('REDIS_URL') else 'not set'}"
    )


@pytest.fixture(autouse=True)
def _english_by_default(settings):  # type: ignore[no-untyped-def]
    """Tests read the English texts unless they choose a language; the product's default stays Finnish."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
