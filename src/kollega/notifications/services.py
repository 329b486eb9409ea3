"""The one path for every outgoing email. (Being implemented.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kollega.notifications.models import Notification


def notification_queue(
    *,
    kind: str,
    recipient: str,
    context: dict[str, Any],
    language: str = "fi",
    subject: str = "",
    version: str | int = 1,
    due_at: datetime | None = None,
    organisation: Any = None,
    recipient_user: Any = None,
    urgent: bool = False,
) -> Notification:
    raise NotImplementedError
