"""What the round commands share: finding a round by what the operator typed, and the refusal's exit status.

Usage errors and finding a programme are shared by all commands (``kollega.core.management.arguments``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kollega.core.management.arguments import usage_error, whole_number
from kollega.evaluation.models import QuestionnaireRound

EXIT_REFUSED = 1


def round_find(value: str) -> QuestionnaireRound:
    number = whole_number(value)
    round = (
        QuestionnaireRound.objects.select_related("programme__organisation").filter(pk=number).first()
        if number is not None
        else None
    )
    if round is None:
        raise usage_error(_("There is no questionnaire round %(round)s.") % {"round": value})
    return round
