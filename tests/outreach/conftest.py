"""The browser tests here drive the same Chromium, with axe-core, as those in tests/browser/."""

from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
