"""What the commands share in reading their arguments: usage errors, numbers and programmes.

A usage error ends the command with exit status 2 and one line saying what was
wrong, the same in every command that takes a programme.
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kollega.core.models import Programme

EXIT_USAGE = 2


def usage_error(message: str) -> CommandError:
    """An error in what the operator typed: exit status 2, the message as the one line shown."""
    return CommandError(message, returncode=EXIT_USAGE)


def whole_number(value: str) -> int | None:
    """``value`` as a database id when it is plain ASCII digits that fit one, else None."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def programme_find(value: str, organisation: str | None = None) -> Programme:
    """The programme named by its number or its address name (slug), within ``organisation`` when given.

    Raises a usage error when there is none, or when several organisations have a programme of that
    address name and ``organisation`` does not say which.
    """
    programmes = Programme.objects.select_related("organisation")
    if organisation:
        programmes = programmes.filter(organisation__slug=organisation)
    number = whole_number(value)
    found = list(programmes.filter(pk=number)) if number is not None else []
    if not found:
        found = list(programmes.filter(slug=value).order_by("organisation__slug"))
    if not found:
        if organisation:
            raise usage_error(
                _("The organisation %(organisation)s has no programme %(programme)s.")
                % {"organisation": organisation, "programme": value}
            )
        raise usage_error(_("There is no programme %(programme)s.") % {"programme": value})
    if len(found) > 1:
        raise usage_error(
            _("Several organisations have a programme %(programme)s: %(organisations)s. Choose with --organisation.")
            % {"programme": value, "organisations": ", ".join(p.organisation.slug for p in found)}
        )
    return found[0]
