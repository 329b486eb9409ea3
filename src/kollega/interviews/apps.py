from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    """Step 3: intake interviews and the baseline self-assessment."""

    name = "kollega.interviews"
    label = "interviews"
    verbose_name = _("Interviews")

    def ready(self) -> None:
        from kollega.interviews import services as s
        from kollega.interviews.record_kinds import register_kinds
        from kollega.notifications import kinds

        for kind in (
            kinds.Kind(
                name=s.KIND_INVITATION, label=_("Invitation to book an interview"), still_valid=s.invitation_still_valid
            ),
            kinds.Kind(name=s.KIND_BOOKED, label=_("Interview booked or moved")),
            kinds.Kind(name=s.KIND_STAFF, label=_("Interview booking, to the interviewer")),
            kinds.Kind(name=s.KIND_CANCELLED, label=_("Interview cancelled")),
            kinds.Kind(name=s.KIND_REMINDER, label=_("Interview reminder"), still_valid=s.reminder_still_valid),
            kinds.Kind(name=s.KIND_NO_SHOW, label=_("Missed interview: book a new time")),
        ):
            kinds.register(kind)
        # The decision emails after the interview record (accepted, declined).
        register_kinds()
