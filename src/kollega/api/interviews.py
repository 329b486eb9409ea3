"""Intake interviews: slots, bookings, invitations to book, the interview record, accept and decline.

Times of slots and bookings are in UTC with the organisation's time zone name
beside them. A slot someone else holds answers 409 with the code ``taken`` and
the slots still free; other refusals answer 409 with the rule's code and change
nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Query, Router, Status

from kollega.accounts.models import User
from kollega.api import interview_schemas as i
from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.api.errors import as_refusal, refusals
from kollega.core.models import Organisation, Participant, Programme
from kollega.core.models import Status as ParticipantStatus
from kollega.core.services import TransitionError
from kollega.interviews import record_selectors, record_services, services
from kollega.interviews import selectors as interview_selectors
from kollega.interviews.models import InterviewBooking, InterviewSlot

router = Router(tags=["interviews"])

#: The default length of a single slot when neither an end nor a length is given.
DEFAULT_SLOT_MINUTES = 30
#: Codes of the interview services that refuse a change (409) rather than a value (422).
REFUSALS = frozenset({"cancelled", "cannot_book", "inactive", "same_slot", "not_started", "cutoff", "started"})
#: The answers of endpoints that book: 409 may carry the free slots.
BOOKING_ERRORS: dict[int, Any] = {**s.ERRORS, 409: i.BookingRefusedOut}


# --- permission-checked reads ---------------------------------------------------------


def _holding() -> Prefetch[Any]:
    """The booking that holds each slot (not cancelled; a missed one still holds it)."""
    held = InterviewBooking.objects.filter(cancelled_at__isnull=True).select_related("participant__user")
    return Prefetch("bookings", queryset=held, to_attr="holding")


def slot_get_for_api(*, user: User, pk: int) -> InterviewSlot:
    """A slot of an organisation ``user`` coordinates; 404 (or 403 for a facilitator) otherwise."""
    slot = (
        InterviewSlot.objects.select_related("programme__organisation", "interviewer")
        .prefetch_related(_holding())
        .filter(pk=pk)
        .first()
    )
    if slot is None:
        raise Http404
    selectors.access_for_user(user=user).check(slot.programme.organisation_id)
    return slot


def booking_get_for_api(*, user: User, pk: int) -> InterviewBooking:
    booking = (
        InterviewBooking.objects.select_related(
            "slot__programme__organisation", "slot__interviewer", "participant__user", "participant__programme"
        )
        .filter(pk=pk)
        .first()
    )
    if booking is None:
        raise Http404
    selectors.access_for_user(user=user).check(booking.slot.programme.organisation_id)
    return booking


def slot_list_for_api(
    *, programme: Programme, since: datetime | None, until: datetime | None, state: str | None
) -> QuerySet[InterviewSlot]:
    """The programme's slots by start, with the booking holding each. Callers checked access."""
    qs = InterviewSlot.objects.filter(programme=programme)
    held = InterviewBooking.objects.filter(cancelled_at__isnull=True)
    if state == "cancelled":
        qs = qs.filter(cancelled_at__isnull=False)
    else:
        qs = qs.filter(cancelled_at__isnull=True)
        if state == "free":
            qs = qs.exclude(pk__in=held.values("slot_id"))
        elif state == "booked":
            qs = qs.filter(pk__in=held.values("slot_id"))
    if since is not None:
        qs = qs.filter(starts_at__gte=since)
    if until is not None:
        qs = qs.filter(starts_at__lt=until)
    return qs.select_related("interviewer").prefetch_related(_holding()).order_by("starts_at", "id")


def booking_list_for_api(
    *, programme: Programme, since: datetime | None, until: datetime | None, state: str | None
) -> QuerySet[InterviewBooking]:
    qs = InterviewBooking.objects.filter(slot__programme=programme)
    if state == "active":
        qs = qs.filter(cancelled_at__isnull=True, no_show_at__isnull=True)
    elif state == "cancelled":
        qs = qs.filter(cancelled_at__isnull=False)
    elif state == "no_show":
        qs = qs.filter(cancelled_at__isnull=True, no_show_at__isnull=False)
    if since is not None:
        qs = qs.filter(slot__starts_at__gte=since)
    if until is not None:
        qs = qs.filter(slot__starts_at__lt=until)
    return qs.select_related("slot__interviewer", "participant__user").order_by("slot__starts_at", "booked_at", "id")


# --- helpers -------------------------------------------------------------------------


def _staff_user(pk: int | None, *, default: User, field: str = "interviewer") -> User:
    """The user a request names as interviewer; the services check that they are staff of the organisation."""
    if pk is None:
        return default
    user = User.objects.filter(pk=pk).first()
    if user is None:  # the same message as for someone who is not staff: ids of other people are not revealed
        raise ValidationError({field: [_("The interviewer must be a staff member of the organisation.")]})
    return user


def _slot_out(slot: InterviewSlot, organisation: Organisation) -> i.SlotOut:
    holding = getattr(slot, "holding", None)
    if holding is None:
        holding = list(
            InterviewBooking.objects.filter(slot=slot, cancelled_at__isnull=True).select_related("participant__user")
        )
    return i.slot_out(
        slot,
        holding=holding[0] if holding else None,
        label=services.slot_label(slot, organisation),
        organisation=organisation,
    )


def _booking_out(booking: InterviewBooking, organisation: Organisation) -> i.BookingOut:
    return i.booking_out(booking, label=services.slot_label(booking.slot, organisation))


def _fresh_booking(user: User, pk: int) -> i.BookingOut:
    booking = booking_get_for_api(user=user, pk=pk)
    return _booking_out(booking, booking.slot.programme.organisation)


def _taken(error: services.SlotTakenError, organisation: Organisation) -> Status[i.BookingRefusedOut]:
    detail = " ".join(error.messages)
    return Status(
        409,
        i.BookingRefusedOut(
            detail=detail,
            code="taken",
            errors={"__all__": [detail]},
            free_slots=[
                i.slot_out(slot, holding=None, label=services.slot_label(slot, organisation), organisation=organisation)
                for slot in error.free_slots
            ],
        ),
    )


def _cannot_book_wording(participant: Participant) -> dict[str, str]:
    """The booking services speak to the applicant; the API speaks to staff about the applicant."""
    participant.refresh_from_db(fields=["status"])
    if participant.status == ParticipantStatus.WAITING_LIST:
        message = _("The person is on the waiting list: they can book an interview when a place is theirs.")
    elif participant.status == ParticipantStatus.INTERVIEW_BOOKED:
        message = _("The person already has an interview booked: move that booking instead.")
    else:
        message = _("A participant who is “%(status)s” cannot book an interview.") % {
            "status": ParticipantStatus(participant.status).label
        }
    return {"cannot_book": message}


# --- slots ---------------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/interview-slots",
    response={200: i.SlotPage, **s.ERRORS},
    summary="List interview slots",
)
def slot_list(request: HttpRequest, programme_id: int, filters: Query[i.SlotQuery]) -> i.SlotPage:
    """The programme's interview slots by start time, with who holds each; filtered by time and state, paged."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    qs = slot_list_for_api(programme=programme, since=filters.from_, until=filters.to, state=filters.state)
    count = qs.count()
    items = list(qs[filters.offset : filters.offset + filters.limit]) if filters.offset < count else []
    organisation = programme.organisation
    return i.SlotPage(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        items=[_slot_out(slot, organisation) for slot in items],
    )


@router.get("/interview-slots/{slot_id}", response={200: i.SlotOut, **s.ERRORS}, summary="Read an interview slot")
def slot_read(request: HttpRequest, slot_id: int) -> i.SlotOut:
    """One slot, with the booking that holds it."""
    slot = slot_get_for_api(user=request_user(request), pk=slot_id)
    return _slot_out(slot, slot.programme.organisation)


@router.post(
    "/programmes/{programme_id}/interview-slots",
    response={201: i.SlotOut, **s.ERRORS},
    summary="Add an interview slot",
)
def slot_create(request: HttpRequest, programme_id: int, payload: i.SlotCreateIn) -> Status[i.SlotOut]:
    """One free time of an interviewer. It may not overlap their other slots, be past or on a closed day."""
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    if payload.ends_at is not None and payload.length_minutes is not None:
        raise ValidationError({"length_minutes": [_("Give either the end or the length, not both.")]})
    ends_at = payload.ends_at or payload.starts_at + timedelta(minutes=payload.length_minutes or DEFAULT_SLOT_MINUTES)
    slot = services.slot_create(
        programme=programme,
        interviewer=_staff_user(payload.interviewer, default=user),
        starts_at=payload.starts_at,
        ends_at=ends_at,
        video_link=payload.video_link,
        actor=user,
    )
    return Status(201, _slot_out(slot, programme.organisation))


@router.post(
    "/programmes/{programme_id}/interview-slots/recurring",
    response={201: i.SlotsCreatedOut, **s.ERRORS},
    summary="Add interview slots by a weekly pattern",
)
def slots_create_recurring(
    request: HttpRequest, programme_id: int, payload: i.RecurringIn
) -> Status[i.SlotsCreatedOut]:
    """Every slot of a weekly pattern, or none. Closed periods, past times and times the clock skips are left out."""
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    pattern = services.Pattern(
        first_date=payload.first_date,
        last_date=payload.last_date,
        weekdays=frozenset(i.WEEKDAYS.index(day) for day in payload.weekdays),
        day_start=payload.day_start,
        day_end=payload.day_end,
        length_minutes=payload.length_minutes,
        buffer_minutes=payload.buffer_minutes,
    )
    made = services.slots_create_recurring(
        programme=programme,
        interviewer=_staff_user(payload.interviewer, default=user),
        pattern=pattern,
        video_link=payload.video_link,
        actor=user,
    )
    organisation = programme.organisation
    for slot in made:
        slot.holding = []  # type: ignore[attr-defined]  # new slots are free
    return Status(201, i.SlotsCreatedOut(count=len(made), items=[_slot_out(slot, organisation) for slot in made]))


@router.post(
    "/interview-slots/{slot_id}/cancel",
    response={200: i.SlotOut, **s.REFUSED},
    summary="Cancel an interview slot",
)
def slot_cancel(request: HttpRequest, slot_id: int, payload: i.SlotCancelIn) -> i.SlotOut:
    """Take a slot away. A booking on it is cancelled too: the applicant is told and may book another time."""
    user = request_user(request)
    slot = slot_get_for_api(user=user, pk=slot_id)
    with refusals(codes=REFUSALS):
        services.slot_cancel(slot=slot, actor=user, reason=payload.reason)
    return slot_read(request, slot_id)


# --- bookings ---------------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_id}/interview-bookings",
    response={200: i.BookingPage, **s.ERRORS},
    summary="List interview bookings",
)
def booking_list(request: HttpRequest, programme_id: int, filters: Query[i.BookingQuery]) -> i.BookingPage:
    """The programme's bookings by interview time: held, cancelled and missed ones; filtered and paged."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    qs = booking_list_for_api(programme=programme, since=filters.from_, until=filters.to, state=filters.state)
    count = qs.count()
    items = list(qs[filters.offset : filters.offset + filters.limit]) if filters.offset < count else []
    organisation = programme.organisation
    for booking in items:
        booking.slot.programme = programme
    return i.BookingPage(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        items=[_booking_out(booking, organisation) for booking in items],
    )


@router.get(
    "/interview-bookings/{booking_id}", response={200: i.BookingOut, **s.ERRORS}, summary="Read an interview booking"
)
def booking_read(request: HttpRequest, booking_id: int) -> i.BookingOut:
    return _fresh_booking(request_user(request), booking_id)


@router.post(
    "/programmes/{programme_id}/interview-bookings",
    response={201: i.BookingOut, **BOOKING_ERRORS},
    summary="Book a slot for an applicant",
)
def booking_create(request: HttpRequest, programme_id: int, payload: i.BookingCreateIn) -> Any:
    """Book a slot on an applicant's behalf, as their booking page would: both sides get the email and invitation.

    Only a registered applicant without a booking can book. A slot someone else holds, or one that is gone,
    answers 409 `taken` with the slots that are still free.
    """
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    participant = (
        Participant.objects.select_related("user", "programme__organisation")
        .filter(pk=payload.participant_id, programme=programme)
        .first()
    )
    slot = InterviewSlot.objects.filter(pk=payload.slot_id, programme=programme).first()
    problems: dict[str, list[str]] = {}
    if participant is None:
        problems["participant_id"] = [_("This programme has no participant with this id.")]
    if slot is None:
        problems["slot_id"] = [_("This programme has no interview slot with this id.")]
    if problems:
        raise ValidationError(problems)
    assert participant is not None and slot is not None
    try:
        booking = services.booking_create(slot=slot, participant=participant, actor=user)
    except services.SlotTakenError as error:
        return _taken(error, programme.organisation)
    except ValidationError as error:
        raise as_refusal(error, codes=REFUSALS, wording=_cannot_book_wording(participant)) from error
    return Status(201, _fresh_booking(user, booking.pk))


@router.post(
    "/interview-bookings/{booking_id}/move",
    response={200: i.BookingOut, **BOOKING_ERRORS},
    summary="Move an interview booking",
)
def booking_move(request: HttpRequest, booking_id: int, payload: i.BookingMoveIn) -> Any:
    """Move the booking to another free slot of the programme: the same calendar entry, updated for both sides."""
    user = request_user(request)
    booking = booking_get_for_api(user=user, pk=booking_id)
    programme = booking.slot.programme
    slot = InterviewSlot.objects.filter(pk=payload.slot_id, programme=programme).first()
    if slot is None:
        raise ValidationError({"slot_id": [_("This programme has no interview slot with this id.")]})
    try:
        services.booking_rebook(booking=booking, slot=slot, actor=user)
    except services.SlotTakenError as error:
        return _taken(error, programme.organisation)
    except ValidationError as error:
        raise as_refusal(
            error, codes=REFUSALS, wording={"same_slot": _("The booking is already at this time.")}
        ) from error
    return _fresh_booking(user, booking_id)


@router.post(
    "/interview-bookings/{booking_id}/cancel",
    response={200: i.BookingOut, **s.REFUSED},
    summary="Cancel an interview booking",
)
def booking_cancel(request: HttpRequest, booking_id: int, payload: i.BookingCancelIn) -> i.BookingOut:
    """Cancel the booking (staff may until it starts): the applicant returns to "registered" and may book again."""
    user = request_user(request)
    booking = booking_get_for_api(user=user, pk=booking_id)
    with refusals(codes=REFUSALS):
        services.booking_cancel(booking=booking, actor=user, reason=payload.reason)
    return _fresh_booking(user, booking_id)


@router.post(
    "/interview-bookings/{booking_id}/no-show",
    response={200: i.BookingOut, **s.REFUSED},
    summary="Record that the applicant did not come",
)
def booking_no_show(request: HttpRequest, booking_id: int, payload: i.NoShowIn) -> i.BookingOut:
    """Once the interview's time has come: the booking is marked, the applicant returns to "registered"
    and is emailed an offer to book a new time."""
    user = request_user(request)
    booking = booking_get_for_api(user=user, pk=booking_id)
    if not booking.is_active:
        raise TransitionError(_("This booking is no longer active."), code="inactive")
    with refusals(codes=REFUSALS):
        services.booking_mark_no_show(participant=booking.participant, actor=user, reason=payload.reason)
    return _fresh_booking(user, booking_id)


@router.post(
    "/programmes/{programme_id}/interview-invitations",
    response={200: i.InvitationsOut, **s.ERRORS},
    summary="Invite applicants to book an interview",
)
def invitations_send(request: HttpRequest, programme_id: int, payload: i.InvitationsIn) -> i.InvitationsOut:
    """Email the personal booking link to every registered applicant without a booking, or to those named.

    Nobody gets the invitation twice on the same day.
    """
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    eligible = interview_selectors.applicants_without_booking(programme=programme)
    people: list[Participant] | None = None
    asked: set[int] = set()
    if payload.participant_ids is not None:
        asked = set(payload.participant_ids)
        people = list(Participant.objects.filter(programme=programme, pk__in=asked))
        unknown = sorted(asked - {p.pk for p in people})
        if unknown:
            raise ValidationError(
                {
                    "participant_ids": [
                        _("This programme has no participants with these ids: %(ids)s.")
                        % {"ids": ", ".join(str(pk) for pk in unknown[:50])}
                    ]
                }
            )
        eligible = eligible.filter(pk__in=asked)
    can_book = set(eligible.values_list("pk", flat=True))
    sent = services.interview_invitations_send(programme=programme, participants=people, actor=user)
    if sent:
        detail = ngettext(
            "An invitation to book an interview was sent to %(count)s applicant.",
            "An invitation to book an interview was sent to %(count)s applicants.",
            sent,
        ) % {"count": sent}
    elif can_book:
        detail = _("Nobody new to invite: everyone without an interview was already invited today.")
    else:
        detail = _("Nobody to invite: no registered applicant without an interview booking.")
    return i.InvitationsOut(
        sent=sent,
        already_invited_today=len(can_book) - sent,
        not_eligible=sorted(asked - can_book),
        detail=detail,
    )


# --- the interview record ----------------------------------------------------------------------


def _interview(participant: Participant) -> i.InterviewOut:
    overview = record_selectors.interview_overview(participant=participant)
    consents = record_selectors.interview_consents_current(participant=participant)
    programme = participant.programme
    organisation = programme.organisation
    booking = overview.booking
    if booking is not None:
        booking.participant = participant
        booking.slot.programme = programme
    status = ParticipantStatus(participant.status)
    return i.InterviewOut(
        participant_id=participant.pk,
        status=status,
        status_label=str(status.label),
        meeting_count=programme.meeting_count,
        meeting_length_minutes=programme.meeting_length_minutes,
        booking=_booking_out(booking, organisation) if booking is not None else None,
        record=i.record_out(overview.record, organisation.tz) if overview.record is not None else None,
        consents=i.InterviewConsentsOut(
            **{item: consent.given if consent is not None else None for item, consent in consents.items()}
        ),
        can_record=overview.can_record,
        can_accept=overview.can_accept,
        can_decline=overview.can_decline,
    )


@router.get(
    "/participants/{participant_id}/interview-record",
    response={200: i.InterviewOut, **s.ERRORS},
    summary="Read the interview record",
)
def record_read(request: HttpRequest, participant_id: int) -> i.InterviewOut:
    """The person's interview: the booking they hold, the record (null until saved), the consents settled there,
    and what can be done next."""
    participant = selectors.participant_get_for_api(user=request_user(request), pk=participant_id)
    return _interview(participant)


def _record_interviewer(participant: Participant, payload: i.RecordIn, user: User) -> User:
    """The interviewer named; else the record's; else the booked slot's (if still staff); else the token's holder."""
    if payload.interviewer is not None:
        return _staff_user(payload.interviewer, default=user)
    record = record_selectors.interview_record_get(participant=participant)
    if record is not None:
        return record.interviewer
    booking = record_selectors.interview_booking_current(participant=participant)
    if booking is not None:
        staff = record_selectors.interviewer_choices(participant=participant)
        if staff.filter(pk=booking.slot.interviewer_id).exists():
            return booking.slot.interviewer
    return user


@router.put(
    "/participants/{participant_id}/interview-record",
    response={200: i.InterviewOut, **s.REFUSED},
    summary="Write the interview record",
)
def record_write(request: HttpRequest, participant_id: int, payload: i.RecordIn) -> i.InterviewOut:
    """Create or update the record, under the same rules as the record page.

    The first save moves the person to "interviewed". A changed consent is recorded as a new decision
    (source "interview"). Fields left out keep their value; a first record needs `agreed_time_slots`.
    """
    user = request_user(request)
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    interviewer = _record_interviewer(participant, payload, user)
    try:
        record_services.interview_record_save(
            participant=participant, interviewer=interviewer, data=payload.data(), actor=user
        )
    except TransitionError:
        raise
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        # The service names a consent as its form field does; the caller sent it inside "consents".
        raise ValidationError(
            {
                (f"consents.{name.removeprefix('consent_')}" if name.startswith("consent_") else name): messages
                for name, messages in error.message_dict.items()
            }
        ) from error
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    return _interview(participant)


@router.post(
    "/participants/{participant_id}/accept",
    response={200: s.ParticipantDetailOut, **s.REFUSED},
    summary="Accept an interviewed applicant",
)
def participant_accept(request: HttpRequest, participant_id: int, payload: i.AcceptIn) -> s.ParticipantDetailOut:
    """Take an interviewed applicant into the programme; they get an email about what happens next."""
    user = request_user(request)
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    record_services.participant_accept(participant=participant, actor=user)
    return _participant(user, participant_id)


@router.post(
    "/participants/{participant_id}/decline",
    response={200: s.ParticipantDetailOut, **s.REFUSED},
    summary="Decline an applicant",
)
def participant_decline(request: HttpRequest, participant_id: int, payload: i.DeclineIn) -> s.ParticipantDetailOut:
    """Not this time: `reason` (required) stays with staff; the person gets a kind email with `message`, if any.

    A person with a booked interview is refused: hold the interview or cancel the booking first.
    """
    user = request_user(request)
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    record_services.participant_decline(
        participant=participant, actor=user, reason=payload.reason, message=payload.message
    )
    return _participant(user, participant_id)


def _participant(user: User, participant_id: int) -> s.ParticipantDetailOut:
    participant = selectors.participant_get_for_api(user=user, pk=participant_id)
    return s.participant_detail_out(participant, selectors.participant_history_for_api(participant=participant))
