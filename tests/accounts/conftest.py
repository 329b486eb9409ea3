"""Helpers for the sign-in and staff tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from kollega.notifications.models import Notification


def latest_message(kind: str, recipient: str) -> Notification:
    """The newest outbox row of ``kind`` to ``recipient``; fails when there is none."""
    row = Notification.objects.filter(kind=kind, recipient=recipient.lower()).order_by("-created_at", "-id").first()
    assert row is not None, f"no {kind} message to {recipient} in the outbox"
    return row


def totp_now(secret: str, at: float | None = None) -> str:
    """The six digits an authenticator app shows for ``secret`` (RFC 6238), written independently of allauth."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


@pytest.fixture
def sending(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list]],
) -> Callable[[], AbstractContextManager[list]]:
    """``with sending(): ...`` runs what is queued on commit (the outbox's send jobs) when the block ends."""

    def run() -> AbstractContextManager[list]:
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    """Pages are asserted in English, the language of the source strings."""
    settings.LANGUAGE_CODE = "en"
