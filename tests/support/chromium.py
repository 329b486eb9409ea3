"""Find a Chromium for the browser tests.

Order: the browser named by ``KOLLEGA_CHROMIUM``, the system's Chromium, then
Playwright's own download. Run as a script, it prints one line and exits 1
when there is none (``make test`` calls it first).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    named = os.environ.get("KOLLEGA_CHROMIUM", "").strip()
    if named:
        return named if Path(named).exists() else None
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def playwright_has_own_browser() -> bool:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return False
    try:
        with sync_playwright() as p:
            return Path(p.chromium.executable_path).exists()
    except Exception:
        return False


def try_playwright_download() -> bool:
    """Ask Playwright to download its own Chromium (needs a connection to Playwright's servers)."""
    import subprocess

    print("No Chromium found; asking Playwright to download one…")
    try:
        done = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def main() -> int:
    named = os.environ.get("KOLLEGA_CHROMIUM", "").strip()
    if named and not Path(named).exists():
        print(f"KOLLEGA_CHROMIUM names {named}, which does not exist; point it at a Chromium or unset it.")
        return 1
    if find_chromium() or playwright_has_own_browser():
        return 0
    if try_playwright_download() and playwright_has_own_browser():
        return 0
    print(
        "No Chromium for the browser tests: install one (Debian/Ubuntu: apt-get install chromium) "
        "or run .venv/bin/playwright install chromium, or set KOLLEGA_CHROMIUM to a Chromium binary."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
