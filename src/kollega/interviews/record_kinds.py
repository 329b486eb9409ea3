"""The messages of the decision after an intake interview.

``register_kinds()`` is called from ``InterviewsConfig.ready()``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_kinds() -> None:
    from kollega.interviews.record_services import KIND_ACCEPTED, KIND_DECLINED
    from kollega.notifications import kinds

    for kind in (
        kinds.Kind(name=KIND_ACCEPTED, label=_("Accepted into the programme")),
        kinds.Kind(name=KIND_DECLINED, label=_("Not accepted this time")),
    ):
        kinds.register(kind)
