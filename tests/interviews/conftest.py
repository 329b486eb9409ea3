"""The browser tests here use the same Chromium set-up and axe-core check as tests/browser."""

from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args

__all__ = ["assert_accessible", "axe", "browser_type_launch_args"]
