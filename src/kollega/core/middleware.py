"""Times are stored in UTC and shown in the organisation's time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import Participant, StaffMembership


def organisation_time_zone_for(user: User | AnonymousUser | None) -> str | None:
    """The time zone of the organisation the person works in or takes part with."""
    if user is None or not user.is_authenticated:
        return None
    zone = (
        StaffMembership.objects.filter(user=user)
        .order_by("role", "organisation_id")
        .values_list("organisation__time_zone", flat=True)
        .first()
    )
    if zone is None:
        zone = (
            Participant.objects.filter(user=user)
            .order_by("-registered_at")
            .values_list("programme__organisation__time_zone", flat=True)
            .first()
        )
    return zone


class OrganisationTimeZoneMiddleware:
    """Activates the signed-in person's organisation's time zone for forms and pages.

    Pages about one organisation's things may still override it with that
    organisation's own zone (a coordinator of two organisations).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = organisation_time_zone_for(getattr(request, "user", None))
        if zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
