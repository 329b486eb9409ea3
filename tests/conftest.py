"""Shared test set-up. The environment is fixed before Django loads."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("KOLLEGA_ENV", "test")
os.environ.setdefault("KOLLEGA_DATA_DIR", tempfile.mkdtemp(prefix="kollega-test-"))
# Sync Playwright runs an event loop in the main thread; the live server's
# database set-up must still be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
