"""The kinds of message Kollega sends, registered by the apps that send them.

An app describes each of its messages once, usually in its ``AppConfig.ready()``::

    from kollega.notifications import kinds

    kinds.register(
        kinds.Kind(
            name="meetings.reminder",
            label=_("Meeting reminder"),
            still_valid=reminder_still_valid,
        )
    )

and ships three templates for it: ``notifications/meetings.reminder/subject.txt``,
``body.txt`` and ``body.html``. Queueing a message of a kind nobody registered
is refused, so that a typo never reaches the outbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from kollega.notifications.models import Notification

#: ``True`` (or ``None``): send it. ``False`` or a reason: do not; the row becomes "skipped".
StillValid = Callable[["Notification"], "bool | str | None"]
#: Extra template context read when the message is rendered (the meeting's current link and agenda).
FreshContext = Callable[["Notification"], "dict[str, Any]"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")


class UnknownKindError(LookupError):
    """A message kind that no app has registered."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"No notification kind {name!r} is registered. Register it with "
            "kollega.notifications.kinds.register(Kind(name=...)) in the sending app's AppConfig.ready()."
        )
        self.name = name


@dataclass(frozen=True)
class Kind:
    """What every message of one kind has in common.

    - ``name``: ``<app>.<message>``, e.g. ``accounts.login_code``; also the
      template folder ``notifications/<name>/``.
    - ``label``: what the outbox calls it (translatable).
    - ``urgent``: sent by its own job the moment the transaction commits
      (sign-in codes), not by the next periodic run.
    - ``sensitive``: sign-in codes, password resets, invitations. The outbox
      shows that it was sent but never its content, and a coordinator cannot
      send it again (a fresh one is asked for instead).
    - ``still_valid``: called just before sending. When it says no, the
      message is skipped with its reason (a reminder for a cancelled meeting).
    - ``fresh_context``: called when the message is rendered; what it returns
      is added to the stored context, so a reminder queued weeks ahead carries
      the meeting's link and agenda as they are when it goes out.
    """

    name: str
    label: str | Promise = ""
    urgent: bool = False
    sensitive: bool = False
    still_valid: StillValid | None = None
    fresh_context: FreshContext | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name) or len(self.name) > 60:
            raise ValueError(
                f"A notification kind is named '<app>.<message>' in lower case, at most 60 characters: {self.name!r}"
            )

    @property
    def display(self) -> str:
        return str(self.label) if self.label else self.name


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make ``kind`` known. Registering the same definition again is harmless."""
    existing = _registry.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"The notification kind {kind.name!r} is already registered with another definition.")
    _registry[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget a kind (for tests)."""
    _registry.pop(name, None)


def get(name: str) -> Kind:
    try:
        return _registry[name]
    except KeyError:
        raise UnknownKindError(name) from None


def is_registered(name: str) -> bool:
    return name in _registry


def all_kinds() -> list[Kind]:
    """Every registered kind, by name."""
    return [_registry[name] for name in sorted(_registry)]


def label_for(name: str) -> str:
    """What the outbox calls a kind; its name when it is no longer registered."""
    kind = _registry.get(name)
    return kind.display if kind else name
