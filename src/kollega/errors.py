"""What Django's error reports may show of the settings."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class SettingsHidingFilter(SafeExceptionReporterFilter):
    """Also hides settings that carry credentials inside URLs (database, Redis, mail) and the parsed config."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|URL|LOCATION|CONFIG|HUEY|CACHES|DATABASES", flags=re.I
    )
