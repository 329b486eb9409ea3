"""Delivering queued rows: claim, check, render, hand to the mail server, record.

A row is *claimed* (pending or failed and due, or stuck in "sending" past the
claim timeout → "sending", with ``claimed_at``/``claimed_by``) in a short
statement of its own before the slow SMTP conversation, so two workers never
send the same row. On PostgreSQL the batch claims with ``SELECT … FOR UPDATE
SKIP LOCKED``; elsewhere (SQLite) with a conditional ``UPDATE … WHERE status
IN (…)`` that only one process can win. A worker that dies mid-send leaves the
row in "sending"; after ``KOLLEGA_MAIL_CLAIM_TIMEOUT_SECONDS`` another worker
takes it again and sends it with the same Message-ID.

An SMTP 5xx answer about the recipient (the address refused, or the message
refused after its data) is permanent: the row fails at once without a retry,
and the address is marked as failing (:class:`FailingAddress`). Later messages
to a marked address are held back, failed with a note, and never shown to the
mail server until a coordinator clears the mark.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import smtplib
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from kollega.notifications import kinds
from kollega.notifications.models import FailingAddress, Notification, NotificationStatus
from kollega.notifications.rendering import Attachment, render_notification

logger = logging.getLogger(__name__)

#: The first retry waits this long; each further one twice as long, up to RETRY_DELAY_MAX.
RETRY_DELAY_FIRST = timedelta(minutes=1)
RETRY_DELAY_MAX = timedelta(hours=1)
#: Urgent rows first, then the longest waiting.
CLAIM_ORDER = ("-urgent", "next_attempt_at", "id")
#: How much of an error is kept on the row.
ERROR_MAX = 2000


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    given_up: int = 0


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 … minutes, capped."""
    delay = RETRY_DELAY_FIRST * (2 ** max(attempts - 1, 0))
    return min(delay, RETRY_DELAY_MAX)


def max_attempts() -> int:
    return int(settings.KOLLEGA_MAIL_MAX_ATTEMPTS)


def claim_timeout() -> timedelta:
    return timedelta(seconds=int(settings.KOLLEGA_MAIL_CLAIM_TIMEOUT_SECONDS))


def _worker_token() -> str:
    """Who claims, unique per claim: host, process and a random part."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def claimable(now: datetime, *, waiting_any_time: bool = False) -> Q:
    """Rows a sender may take at ``now``.

    ``waiting_any_time``: a waiting row counts even before its time. A job for
    one row is queued only once the row is urgent or due, and the web server's
    clock may run a little ahead of the worker's; a sign-in code must not wait
    for the next periodic run because of that.
    """
    waiting = Q(status=NotificationStatus.PENDING) & (
        Q(next_attempt_at__isnull=False) if waiting_any_time else Q(next_attempt_at__lte=now)
    )
    retry = Q(status=NotificationStatus.FAILED, next_attempt_at__lte=now)
    abandoned = Q(status=NotificationStatus.SENDING, claimed_at__lt=now - claim_timeout(), attempts__lt=max_attempts())
    return waiting | retry | abandoned


def _claim_update(qs_filter: Q, token: str, now: datetime) -> int:
    return Notification.objects.filter(qs_filter).update(
        status=NotificationStatus.SENDING,
        claimed_at=now,
        claimed_by=token,
        last_attempt_at=now,
        attempts=F("attempts") + 1,
    )


def _claim_one(pk: int, now: datetime) -> str | None:
    token = _worker_token()
    # One conditional UPDATE: of two workers, only one sees the row still claimable.
    won = _claim_update(Q(pk=pk) & claimable(now, waiting_any_time=True), token, now)
    return token if won else None


def _claim_batch(limit: int, now: datetime) -> tuple[str, list[int]]:
    token = _worker_token()
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(claimable(now))
                .order_by(*CLAIM_ORDER)
                .values_list("pk", flat=True)[:limit]
            )
            if ids:
                _claim_update(Q(pk__in=ids), token, now)
        return token, ids
    # No row locks (SQLite): pick candidates, then claim only those still
    # claimable in one UPDATE, and read back which ones carry our token.
    candidates = list(
        Notification.objects.filter(claimable(now)).order_by(*CLAIM_ORDER).values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return token, []
    _claim_update(Q(pk__in=candidates) & claimable(now), token, now)
    ids = list(Notification.objects.filter(pk__in=candidates, claimed_by=token).values_list("pk", flat=True))
    return token, ids


def _give_up_stuck(now: datetime) -> int:
    """Rows whose worker died on the last allowed attempt: mark them failed for a coordinator to see."""
    return Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=now - claim_timeout(), attempts__gte=max_attempts()
    ).update(
        status=NotificationStatus.FAILED,
        next_attempt_at=None,
        last_error="The sender stopped while sending this message, and no attempts are left.",
    )


def _finish(row: Notification, token: str, **fields: object) -> bool:
    """Record the outcome, only if our claim still holds (another worker may have taken over a slow send)."""
    updated = Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING, claimed_by=token).update(
        **fields
    )
    if not updated:
        logger.warning("Notification %s was taken over by another sender before %s finished.", row.pk, token)
    return bool(updated)


def _renew(row: Notification, token: str) -> bool:
    """Refresh our claim just before sending; False if another sender has taken the row over.

    A claim younger than half the claim timeout cannot have been taken over (another sender waits for the
    whole timeout), so it is left as it is: one write less per message in a fast batch.
    """
    if row.claimed_at is not None and timezone.now() - row.claimed_at < claim_timeout() / 2:
        return True
    return bool(
        Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING, claimed_by=token).update(
            claimed_at=timezone.now()
        )
    )


def _fail(row: Notification, token: str, error: str, now: datetime, subject: str | None = None) -> str:
    attempts = row.attempts  # already counted when claimed
    retry_at = now + retry_delay(attempts) if attempts < max_attempts() else None
    fields: dict[str, object] = {
        "status": NotificationStatus.FAILED,
        "last_error": error[:ERROR_MAX],
        "next_attempt_at": retry_at,
    }
    if subject is not None:
        fields["rendered_subject"] = subject
    _finish(row, token, **fields)
    logger.warning("Notification %s (%s) failed on attempt %s: %s", row.pk, row.kind, attempts, error)
    return NotificationStatus.FAILED


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def describe_error(exc: BaseException) -> str:
    """One readable line for the outbox, with the mail server's own answer where there is one."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items())
        return f"{name}: {refused}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{name}: {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{name}: {exc}"


def permanent_refusal(exc: BaseException) -> bool:
    """Whether the mail server refused the recipient or the message for good (a 5xx answer).

    Only answers about this message count: the recipient refused at RCPT, or
    the message refused after DATA. A 5xx to our own sender address, our
    log-in or our greeting is a problem with Kollega's mail settings, not with
    the address; it is retried like a passing failure.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code <= 599 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code <= 599
    return False


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def held_error(mark: FailingAddress) -> str:
    """What a held row says: the address refused mail earlier, when, and what the server said."""
    return (
        f"Not sent: this address refused mail on {_when(mark.first_failed_at)}"
        f"{'' if mark.failures == 1 else f' (most recently on {_when(mark.last_failed_at)})'}. "
        f"The mail server said: {mark.last_error} "
        "Kollega sends nothing to the address until a coordinator clears the mark in the outbox; "
        "this message then goes out by itself."
    )


def _mark_failing(address: str, error: str, now: datetime) -> FailingAddress:
    """Record that the mail server refused ``address`` for good (one more refusal if it was marked already)."""
    fields = {"last_failed_at": now, "last_error": error[:ERROR_MAX]}
    if FailingAddress.objects.filter(address=address).update(failures=F("failures") + 1, **fields):
        return FailingAddress.objects.get(address=address)
    try:
        with transaction.atomic():  # a savepoint: another worker may mark the same address at the same moment
            return FailingAddress.objects.create(address=address, first_failed_at=now, **fields)
    except IntegrityError:
        FailingAddress.objects.filter(address=address).update(failures=F("failures") + 1, **fields)
        return FailingAddress.objects.get(address=address)


def _refused(row: Notification, token: str, exc: BaseException, now: datetime, subject: str) -> str:
    """The server refused the recipient for good: no retry for this row, and mark the address."""
    error = describe_error(exc)
    with transaction.atomic():
        _mark_failing(row.recipient, error, now)
        _finish(
            row,
            token,
            status=NotificationStatus.FAILED,
            next_attempt_at=None,
            address_refused=True,
            rendered_subject=subject,
            last_error=(
                f"{error} (A permanent refusal: Kollega sends nothing more to this address until a coordinator "
                "clears the mark in the outbox.)"
            )[:ERROR_MAX],
        )
    logger.warning(
        "Notification %s (%s): the mail server refused %s for good: %s", row.pk, row.kind, row.recipient, error
    )
    return NotificationStatus.FAILED


def _hold(row: Notification, token: str) -> bool:
    """Keep a row to a marked address from the mail server: failed, held, with the reason. False if unmarked now.

    The mark's row is locked first (on SQLite the transaction itself is the
    lock), so a coordinator clearing the mark at this moment either finds this
    row already held and puts it back to waiting, or has removed the mark and
    this row is sent.
    """
    with transaction.atomic():
        mark = FailingAddress.objects.select_for_update().filter(address=row.recipient).first()
        if mark is None:
            return False
        _finish(
            row,
            token,
            status=NotificationStatus.FAILED,
            next_attempt_at=None,
            address_refused=True,
            last_error=held_error(mark)[:ERROR_MAX],
        )
    logger.info("Notification %s (%s) held: %s refuses mail", row.pk, row.kind, row.recipient)
    return True


def _attachment_part(attachment: Attachment) -> MIMEBase:
    maintype, _slash, subtype = attachment.mimetype.partition("/")
    if maintype == "text":
        part: MIMEBase = MIMEText(attachment.content, subtype or "plain", "utf-8")
    else:
        part = MIMEBase(maintype, subtype or "octet-stream")
        part.set_payload(attachment.content.encode("utf-8"))
        encoders.encode_base64(part)
    if attachment.method:
        # Calendar programs read the invitation's method from the part's type: text/calendar; method=REQUEST.
        part.set_param("method", attachment.method)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def build_email(
    row: Notification, subject: str, text: str, html: str, attachments: Iterable[Attachment] = ()
) -> EmailMultiAlternatives:
    organisation = row.organisation
    reply_to = [organisation.support_email] if organisation and organisation.support_email else []
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient],
        reply_to=reply_to,
        headers={"Message-ID": row.message_id},
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(_attachment_part(attachment))
    return message


def _rows(ids: Iterable[int]) -> list[Notification]:
    rows = Notification.objects.select_related("organisation", "recipient_user").filter(pk__in=ids)
    return list(rows.order_by(*CLAIM_ORDER))


def _failing_among(rows: Iterable[Notification]) -> set[str]:
    """The addresses of ``rows`` that are marked as refusing mail."""
    addresses = {row.recipient for row in rows}
    return set(FailingAddress.objects.filter(address__in=addresses).values_list("address", flat=True))


def _deliver(
    row: Notification, token: str, backend: BaseEmailBackend, now: datetime, failing: set[str] | None = None
) -> str:
    """Send one claimed row. Returns the status it ends in.

    ``failing`` is the batch's view of the marked addresses; it grows when the
    server refuses an address, so the rest of the batch holds that address's
    rows instead of trying them.
    """
    if failing is None:
        failing = _failing_among([row])
    try:
        spec = kinds.get(row.kind)
    except kinds.UnknownKindError:
        _finish(
            row,
            token,
            status=NotificationStatus.SKIPPED,
            next_attempt_at=None,
            last_error=f"No app registers the kind {row.kind!r} any more.",
        )
        return NotificationStatus.SKIPPED
    if spec.still_valid is not None:
        try:
            verdict = spec.still_valid(row)
        except Exception as exc:
            logger.exception("Notification %s (%s): the still-valid check failed", row.pk, row.kind)
            return _fail(row, token, f"Could not check whether the message is still valid: {exc}", now)
        if verdict is False or isinstance(verdict, str):
            reason = verdict if isinstance(verdict, str) and verdict else "No longer valid."
            _finish(row, token, status=NotificationStatus.SKIPPED, next_attempt_at=None, last_error=reason[:ERROR_MAX])
            logger.info("Notification %s (%s) skipped: %s", row.pk, row.kind, reason)
            return NotificationStatus.SKIPPED
    if row.recipient in failing:
        if _hold(row, token):
            return NotificationStatus.FAILED
        failing.discard(row.recipient)  # a coordinator cleared the mark meanwhile: send
    if not _renew(row, token):
        # Our claim ran out while earlier rows of the batch were being sent and
        # another sender took this one over: it is theirs to send now.
        return NotificationStatus.SENDING
    try:
        rendered = render_notification(row)
    except Exception as exc:  # a template error must not stop the batch
        logger.exception("Notification %s (%s) could not be rendered", row.pk, row.kind)
        return _fail(row, token, f"Could not render the message: {type(exc).__name__}: {exc}", now)
    try:
        backend.open()
        delivered = backend.send_messages(
            [build_email(row, rendered.subject, rendered.text, rendered.html, rendered.attachments)]
        )
        if not delivered:
            raise RuntimeError("The mail backend accepted nothing.")
    except Exception as exc:  # SMTP errors, refused connections, timeouts
        # A session that failed may be unusable; the next message opens a new one.
        with contextlib.suppress(Exception):  # closing a broken connection may fail too
            backend.close()
        if permanent_refusal(exc):
            failing.add(row.recipient)
            return _refused(row, token, exc, now, rendered.subject)
        return _fail(row, token, describe_error(exc), now, subject=rendered.subject)
    _finish(
        row,
        token,
        status=NotificationStatus.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
        rendered_subject=rendered.subject,
    )
    return NotificationStatus.SENT


def notification_send(pk: int, *, now: datetime | None = None) -> str | None:
    """Send one row now, if it is waiting (or its retry is due) and no other sender has it.

    Returns the status it ends in, or ``None`` when it was not ours to send
    (already sent or skipped, taken by another worker, or failed and still
    waiting for its retry).
    """
    now = now or timezone.now()
    token = _claim_one(pk, now)
    if token is None:
        return None
    backend = get_connection()
    try:
        return _deliver(_rows([pk])[0], token, backend, now)
    finally:
        backend.close()


def _release(ids: Iterable[int], token: str) -> int:
    """Give back rows we claimed but did not start on (the worker is stopping): waiting again, due at once."""
    return Notification.objects.filter(pk__in=list(ids), status=NotificationStatus.SENDING, claimed_by=token).update(
        status=NotificationStatus.PENDING,
        claimed_at=None,
        claimed_by="",
        attempts=F("attempts") - 1,
    )


_batch_memo: contextvars.ContextVar[dict[object, object] | None] = contextvars.ContextVar(
    "kollega_notifications_batch_memo", default=None
)


def batch_memo() -> dict[object, object] | None:
    """A dictionary that lives as long as the batch being sent, or None outside a batch.

    Kinds may keep what many rows of one batch read (the meeting ten reminders are about) so that it is read
    once per batch. A batch lasts seconds, as does the claim: what is kept may be that old when a row is
    checked, as if the row had been checked when the batch began.
    """
    return _batch_memo.get()


def notifications_send_due(
    *, limit: int = 200, now: datetime | None = None, should_stop: Callable[[], bool] | None = None
) -> BatchResult:
    """Send up to ``limit`` rows that have come due, retrying failures whose wait is over.

    ``should_stop`` is asked before each message; once it says yes, the rows
    of the batch not yet started are given back (waiting, due at once) and the
    batch ends, so a stopping worker leaves nothing in "sending".
    """
    now = now or timezone.now()
    result = BatchResult(given_up=_give_up_stuck(now))
    token, ids = _claim_batch(limit, now)
    result.claimed = len(ids)
    if not ids:
        return result
    backend = get_connection()
    memo = _batch_memo.set({})
    try:
        rows = _rows(ids)
        failing = _failing_among(rows)
        for index, row in enumerate(rows):
            if should_stop is not None and should_stop():
                left = [r.pk for r in rows[index:]]
                result.claimed -= _release(left, token)
                break
            outcome = _deliver(row, token, backend, now, failing)
            if outcome == NotificationStatus.SENT:
                result.sent += 1
            elif outcome == NotificationStatus.SKIPPED:
                result.skipped += 1
            elif outcome == NotificationStatus.FAILED:
                result.failed += 1
    finally:
        _batch_memo.reset(memo)
        backend.close()
    return result


#: How long the data of a sensitive message (a sign-in code, a reset or
#: invitation link) is kept after sending: longer than any of them stays valid.
SENSITIVE_CONTEXT_KEPT = timedelta(days=15)


def notifications_forget_secrets(*, now: datetime | None = None) -> int:
    """Blank the stored data of sensitive messages whose secrets can no longer be used.

    The row stays in the outbox as a record that the message went out.
    """
    cutoff = (now or timezone.now()) - SENSITIVE_CONTEXT_KEPT
    stale = (
        Notification.objects.filter(sensitive=True, created_at__lt=cutoff)
        .exclude(status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING])
        .exclude(context={})
    )
    return stale.update(context={})
