"""Background jobs of the notifications app. Periodic ones are declared in :mod:`kollega.core.tasks`."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from kollega.notifications.sender import notification_send


@db_task()
def notification_send_task(notification_id: int) -> None:
    """Send one row at once (urgent or already due). Queued when the row's transaction commits.

    Retries are not Huey's: a failure is recorded on the row and the periodic
    job tries again after the row's delay.
    """
    notification_send(notification_id)
