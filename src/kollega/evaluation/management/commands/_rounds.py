"""What the round commands share: finding a programme or a round by what the operator typed."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kollega.core.models import Programme
from kollega.evaluation.models import QuestionnaireRound

EXIT_REFUSED = 1
EXIT_USAGE = 2


def usage(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_USAGE)


def _number(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def programme_find(value: str, organisation: str | None) -> Programme:
    programmes = Programme.objects.select_related("organisation")
    if organisation:
        programmes = programmes.filter(organisation__slug=organisation)
    number = _number(value)
    found = list(programmes.filter(pk=number)) if number is not None else []
    if not found:
        found = list(programmes.filter(slug=value).order_by("organisation__slug"))
    if not found:
        raise usage(_("There is no programme %(programme)s.") % {"programme": value})
    if len(found) > 1:
        raise usage(
            _("Several organisations have a programme %(programme)s: %(organisations)s. Choose with --organisation.")
            % {"programme": value, "organisations": ", ".join(p.organisation.slug for p in found)}
        )
    return found[0]


def round_find(value: str) -> QuestionnaireRound:
    number = _number(value)
    round = (
        QuestionnaireRound.objects.select_related("programme__organisation").filter(pk=number).first()
        if number is not None
        else None
    )
    if round is None:
        raise usage(_("There is no questionnaire round %(round)s.") % {"round": value})
    return round
