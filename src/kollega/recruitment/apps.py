from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    """Step 2: registration and the needs survey."""

    name = "kollega.recruitment"
    label = "recruitment"
    verbose_name = _("Recruitment")
