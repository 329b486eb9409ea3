from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Organisations, programmes, people and roles, participant status and consents."""

    name = "kollega.core"
    label = "core"
    verbose_name = _("Core")
