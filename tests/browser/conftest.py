"""Real Chromium through Playwright, with axe-core on every page a test visits.

The browser is the one ``KOLLEGA_CHROMIUM`` names, else the system's Chromium,
else Playwright's own download. When there is none, or ``KOLLEGA_CHROMIUM``
names a file that does not exist, the tests fail (on CI and locally alike);
they are never skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Playwright

from tests.support.chromium import find_chromium

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], playwright: Playwright) -> dict[str, Any]:
    launch = dict(browser_type_launch_args)
    named = os.environ.get("KOLLEGA_CHROMIUM", "").strip()
    if named and not Path(named).exists():
        pytest.fail(f"KOLLEGA_CHROMIUM names {named}, which does not exist.", pytrace=False)
    executable = find_chromium()
    if executable:
        launch["executable_path"] = executable
    elif not Path(playwright.chromium.executable_path).exists():
        pytest.fail(
            "No Chromium for the browser tests: install one (Debian/Ubuntu: apt-get install chromium), "
            "run .venv/bin/playwright install chromium, or set KOLLEGA_CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    launch["args"] = [*launch.get("args", []), *CHROMIUM_ARGS]
    return launch


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def assert_accessible(axe: Axe) -> Callable[[Any], None]:
    """Run axe-core (all its rules) on the page as it is now; fail with axe's own report."""

    def check(page: Any) -> None:
        results = axe.run(page)
        assert results.violations_count == 0, f"axe found problems on {page.url}:\n{results.generate_report()}"

    return check
