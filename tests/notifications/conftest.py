"""A real SMTP server on loopback, two message kinds with their templates, and people to send to."""

from __future__ import annotations

import asyncio
import email
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from tests.notifications.support import CODE, NEWS, TEMPLATES, free_port

from kollega.accounts.models import User
from kollega.core.models import Organisation, Participant, Programme, Status
from kollega.core.services import (
    organisation_create,
    participant_create,
    programme_create_from_template,
    staff_membership_add,
    user_get_or_create,
)
from kollega.notifications import kinds
from kollega.notifications.models import Notification


def news_still_valid(notification: Notification) -> bool | str:
    """News about a programme goes only to people still taking part in it."""
    leaving = (Status.CANCELLED, Status.WITHDRAWN, Status.DECLINED)
    still_in = Participant.objects.filter(
        programme_id=notification.context.get("programme_id"), user__email=notification.recipient
    ).exclude(status__in=leaving)
    return True if still_in.exists() else "The person has left the programme."


@pytest.fixture(autouse=True)
def message_kinds(settings: Any) -> Iterator[None]:
    """Register the test kinds and let Django's template loaders find their templates."""
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], TEMPLATES]
    settings.TEMPLATES = [engine]
    kinds.register(kinds.Kind(name=NEWS, label="Programme news", still_valid=news_still_valid))
    kinds.register(kinds.Kind(name=CODE, label="Sign-in code", urgent=True, sensitive=True))
    yield
    kinds.unregister(NEWS)
    kinds.unregister(CODE)


class Mailbox:
    """What the loopback SMTP server received.

    It can be told to refuse the next few messages (``refuse_next``, with the
    answer ``refuse_with``, a 451 unless changed), to refuse some addresses at
    RCPT with its own answer (``unknown_users``: address → "550 …"), and to take
    ``delay`` seconds over each message.
    """

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse_next = 0
        self.refuse_with = "451 4.3.0 Mailbox busy, try again later"
        self.refused = 0
        self.unknown_users: dict[str, str] = {}
        self.rcpt_refused: list[str] = []
        self.delay = 0.0
        self.port = 0
        self._lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        with self._lock:
            answer = self.unknown_users.get(address.lower())
            if answer:
                self.rcpt_refused.append(address)
                return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return self.refuse_with
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self.received]


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    mailbox = Mailbox()
    port = free_port()
    mailbox.port = port
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=10,
            DEFAULT_FROM_EMAIL="Kollega <kollega@mail.example.org>",
        ):
            yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def organisation(db: None) -> Organisation:
    return organisation_create(
        name="Yrittäjäpolku ry",
        support_email="tuki@yrittajapolku.example.org",
        support_phone="+358 40 123 4567",
    )


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return organisation_create(name="Saariston Yrityspalvelu", support_email="apu@saaristo.example.org")


@pytest.fixture
def programme(organisation: Organisation) -> Programme:
    return programme_create_from_template(organisation=organisation, title={"fi": "Kevään vertaisryhmät"})


@pytest.fixture
def coordinator(organisation: Organisation) -> User:
    user = user_get_or_create(email="kaisa.koordinaattori@example.org", full_name="Kaisa Koordinaattori")
    staff_membership_add(organisation=organisation, user=user, role="coordinator")
    return user


@pytest.fixture
def other_coordinator(other_organisation: Organisation) -> User:
    user = user_get_or_create(email="olli.ohjaaja@example.org", full_name="Olli Saaristo")
    staff_membership_add(organisation=other_organisation, user=user, role="coordinator")
    return user


@pytest.fixture
def participant(programme: Programme) -> Participant:
    return participant_create(
        programme=programme, email="maija.meikalainen@example.org", full_name="Maija Meikäläinen", language="fi"
    )
