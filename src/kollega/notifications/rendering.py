"""Turning a row into a subject line, a text part and an HTML part.

Each kind has three templates, found through Django's template loaders so any
app can ship them in its own ``templates/`` folder::

    notifications/<kind>/subject.txt
    notifications/<kind>/body.txt
    notifications/<kind>/body.html   (extends "notifications/email_base.html")

They are rendered in the row's language with the row's JSON ``context`` plus
``organisation``, ``recipient`` and ``base_url``.

A message may carry files (a calendar invitation): the sending service puts
them in the context as ``attachments``, a list of ``{"filename", "content",
"mimetype"}`` with text content and, for ``text/calendar``, the iTIP
``method``. They are made when the message is queued, so a message sent again
carries the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, engines
from django.template.backends.django import Template as BackendTemplate
from django.utils import translation

from kollega.notifications.models import Notification

SUBJECT_MAX = 255


@dataclass(frozen=True)
class Recipient:
    """Who the message is for, as templates see it: ``{{ recipient.name }}``."""

    email: str
    name: str

    def __str__(self) -> str:
        return self.name or self.email


@dataclass(frozen=True)
class Attachment:
    """A text file sent with a message, such as an .ics calendar invitation."""

    filename: str
    content: str
    mimetype: str
    #: For ``text/calendar``: the iTIP method (REQUEST, CANCEL) that mail programs read from the part's type.
    method: str = ""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


def attachments_for(notification: Notification) -> tuple[Attachment, ...]:
    """The files stored in the row's context; entries that are not well-formed are left out."""
    raw = (notification.context or {}).get("attachments") or []
    found = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        filename, content, mimetype = item.get("filename"), item.get("content"), item.get("mimetype")
        if not (isinstance(filename, str) and isinstance(content, str) and isinstance(mimetype, str)):
            continue
        method = item.get("method")
        found.append(
            Attachment(
                filename=filename, content=content, mimetype=mimetype, method=method if isinstance(method, str) else ""
            )
        )
    return tuple(found)


def template_names(kind: str) -> dict[str, str]:
    return {part: f"notifications/{kind}/{part}" for part in ("subject.txt", "body.txt", "body.html")}


def _render(name: str, context: dict[str, Any], *, autoescape: bool) -> str:
    template = engines["django"].get_template(name)
    assert isinstance(template, BackendTemplate)
    # Text parts are not HTML: "&" stays "&" in them.
    rendered = template.template.render(Context(context, autoescape=autoescape))
    # A plain str, not Django's SafeString: a page that shows the message must escape it.
    return "".join([rendered])


def _fresh(notification: Notification) -> dict[str, Any]:
    from kollega.notifications import kinds

    spec = kinds.get(notification.kind) if kinds.is_registered(notification.kind) else None
    if spec is None or spec.fresh_context is None:
        return {}
    return spec.fresh_context(notification)


def context_for(notification: Notification) -> dict[str, Any]:
    user = notification.recipient_user
    return {
        **(notification.context or {}),
        **_fresh(notification),
        "organisation": notification.organisation,
        "recipient": Recipient(email=notification.recipient, name=(user.full_name if user else "") or ""),
        "base_url": settings.KOLLEGA_BASE_URL,
        "language": notification.language,
    }


def render_notification(notification: Notification) -> RenderedMessage:
    """The message as it is sent now. Raises ``TemplateDoesNotExist`` when a template is missing."""
    names = template_names(notification.kind)
    with translation.override(notification.language):
        # Inside the override: fresh context may format dates and names in the recipient's language.
        context = context_for(notification)
        subject = _render(names["subject.txt"], context, autoescape=False)
        text = _render(names["body.txt"], context, autoescape=False)
        html = _render(names["body.html"], context, autoescape=True)
    # A subject is one line, whatever the template's line breaks.
    subject = " ".join(subject.split())[:SUBJECT_MAX]
    return RenderedMessage(
        subject=subject, text=text.strip() + "\n", html=html, attachments=attachments_for(notification)
    )
