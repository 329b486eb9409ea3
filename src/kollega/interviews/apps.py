from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    """Step 3: intake interviews and the baseline self-assessment."""

    name = "kollega.interviews"
    label = "interviews"
    verbose_name = _("Interviews")
