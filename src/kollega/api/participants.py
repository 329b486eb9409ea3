"""Participants of a programme: the list, one person, status changes, consents."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.core import services
from kollega.core.selectors import ParticipantFilters
from kollega.interviews.services import booking_mark_no_show

router = Router(tags=["participants"])


@router.get(
    "/programmes/{programme_id}/participants",
    response={200: s.ParticipantPage, **s.ERRORS},
    summary="List participants",
)
def participant_list(request: HttpRequest, programme_id: int, filters: Query[s.ParticipantQuery]) -> s.ParticipantPage:
    """A programme's participants, filtered, one page at a time, with the total count."""
    page = selectors.participant_page_for_api(
        user=request_user(request),
        programme_pk=programme_id,
        filters=ParticipantFilters(
            status=[status.value for status in filters.status],
            query=filters.q.strip(),
            time_slot=filters.time_slot.strip(),
            order=filters.order,
        ),
        limit=filters.limit,
        offset=filters.offset,
    )
    return s.ParticipantPage(
        count=page.count,
        limit=filters.limit,
        offset=filters.offset,
        items=[s.participant_out(p) for p in page.items],
    )


@router.get(
    "/participants/{participant_id}", response={200: s.ParticipantDetailOut, **s.ERRORS}, summary="Read a participant"
)
def participant_read(request: HttpRequest, participant_id: int) -> s.ParticipantDetailOut:
    """One participant with the full history of their status."""
    return _detail(request, participant_id)


@router.post(
    "/participants/{participant_id}/status",
    response={200: s.ParticipantDetailOut, **s.REFUSED},
    summary="Change a participant's status",
)
def participant_change_status(
    request: HttpRequest, participant_id: int, payload: s.StatusChangeIn
) -> s.ParticipantDetailOut:
    """Move the participant to `to_status`. A move the rules do not allow answers 409 and changes nothing."""
    user = request_user(request)
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    services.participant_change_status(
        participant=participant, to_status=payload.to_status.value, reason=payload.reason, actor=user
    )
    return _detail(request, participant_id)


@router.post(
    "/participants/{participant_id}/interview-no-show",
    response={200: s.ParticipantDetailOut, **s.REFUSED},
    summary="Record an interview no-show",
)
def participant_interview_no_show(
    request: HttpRequest, participant_id: int, payload: s.NoShowIn
) -> s.ParticipantDetailOut:
    """The person did not come to their intake interview: recorded, and they may book again."""
    user = request_user(request)
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    # Marks the booking too, and emails the applicant an offer to book a new time.
    booking_mark_no_show(participant=participant, actor=user, reason=payload.reason)
    return _detail(request, participant_id)


def _detail(request: HttpRequest, participant_id: int) -> s.ParticipantDetailOut:
    participant = selectors.participant_get_for_api(user=request_user(request), pk=participant_id)
    history = selectors.participant_history_for_api(participant=participant)
    return s.participant_detail_out(participant, history)
