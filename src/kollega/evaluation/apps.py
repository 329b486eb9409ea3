"""Step 6: reports and the change in well-being."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from kollega.notifications.models import Notification


def invitation_still_wanted(notification: Notification) -> bool | str:
    """An invitation or reminder goes only while the round is open, unanswered and agreed to."""
    from kollega.core.models import ConsentItem
    from kollega.core.selectors import consent_given
    from kollega.evaluation.models import RoundInvitation

    invitation = (
        RoundInvitation.objects.select_related("round", "participant")
        .filter(pk=notification.context.get("invitation_id"))
        .first()
    )
    if invitation is None or invitation.round.is_closed():
        return "The questionnaire round has closed."
    if notification.kind == "evaluation.reminder" and invitation.answered_at is not None:
        return "The questionnaire has been answered."
    if not consent_given(participant=invitation.participant, item=ConsentItem.WELLBEING_QUESTIONNAIRE):
        return "The participant no longer agrees to the questionnaire."
    return True


class EvaluationConfig(AppConfig):
    """Step 6: reports and the change in well-being."""

    name = "kollega.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from kollega.evaluation import services as s
        from kollega.notifications import kinds

        for kind in (
            kinds.Kind(
                name=s.KIND_INVITATION,
                label=_("Questionnaire invitation"),
                urgent=True,
                still_valid=invitation_still_wanted,
            ),
            kinds.Kind(name=s.KIND_REMINDER, label=_("Questionnaire reminder"), still_valid=invitation_still_wanted),
            # A participant asked to be contacted: the organisation should know at once.
            kinds.Kind(name=s.KIND_CONTACT_REQUEST, label=_("Request to be contacted"), urgent=True),
        ):
            kinds.register(kind)
