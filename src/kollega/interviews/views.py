"""Interview pages: the coordinator's slots page, the interviewer's own list, and the applicant's booking page.

The slots pages are for the programme's coordinators (facilitators who
interview are given slots by a coordinator and get each booking by email).
"My interviews" lists any staff member's own slots.
The applicant's page needs no sign-in: the signed token in the address names
the person. Nothing changes on GET: mail scanners follow links.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core import selectors as core_selectors
from kollega.core.forms import VideoLinksForm
from kollega.core.http import AuthedHttpRequest, asked_too_often
from kollega.core.models import Participant, Programme, Status, VideoLinks
from kollega.interviews import selectors, services
from kollega.interviews.calendar import PUBLISH
from kollega.interviews.forms import CancelSlotForm, LinkResendForm, RecurringForm, SlotForm
from kollega.interviews.models import InterviewSlot
from kollega.interviews.record_selectors import INTERVIEWER_MAY_WRITE
from kollega.recruitment.tokens import participant_from_token

SLOTS_PER_PAGE = 120
#: Asking for a new link: at most this many requests per address (network) and hour.
RESEND_LIMIT = 5
RESEND_WINDOW_SECONDS = 3600


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            if name in {"starts_at", "ends_at"} and "start" in form.fields:
                target = "start"
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --- staff: the slots page ---------------------------------------------------------------


def _forms(request: AuthedHttpRequest, programme: Programme, data: Any = None, which: str = "") -> dict[str, Any]:
    organisation = programme.organisation
    options: dict[str, Any] = {
        "interviewers": selectors.interviewers_for(organisation=organisation),
        "me": request.user,
        "organisation": organisation,
        "pasted": organisation.video_links == VideoLinks.PASTED,
    }
    return {
        "slot_form": SlotForm(data if which == "single" else None, prefix="one", **options),
        "recurring_form": RecurringForm(data if which == "recurring" else None, prefix="rec", **options),
    }


def _slots_page(
    request: AuthedHttpRequest, programme: Programme, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    paginator = Paginator(selectors.slots_for_staff(programme=programme, now=now), SLOTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    slots = list(page.object_list)
    for slot in slots:
        slot.booking = slot.current[0] if slot.current else None  # type: ignore[attr-defined]
        slot.past = slot.starts_at <= now  # type: ignore[attr-defined]
    # Booked applicants whose latest interview email could not be delivered (one query for the page).
    from kollega.notifications.selectors import undelivered_latest

    applicant_kinds = (
        services.KIND_INVITATION,
        services.KIND_BOOKED,
        services.KIND_CANCELLED,
        services.KIND_REMINDER,
        services.KIND_NO_SHOW,
    )
    booked = [slot.booking for slot in slots if slot.booking is not None]  # type: ignore[attr-defined]
    undelivered = undelivered_latest(
        organisation_id=programme.organisation_id,
        recipients=[booking.participant.user.email for booking in booked],
        kinds=applicant_kinds,
    )
    for booking in booked:
        booking.undelivered = undelivered.get((booking.participant.user.email or "").strip().lower())
    context = {
        "programme": programme,
        "organisation": programme.organisation,
        "page": page,
        "days": selectors.by_day(slots, programme.organisation),
        "counts": selectors.slot_counts(programme=programme, now=now),
        "to_invite": selectors.applicants_without_booking(programme=programme).count(),
        "jitsi": programme.organisation.video_links == VideoLinks.JITSI,
        **(forms or _forms(request, programme)),
    }
    return render(request, "interviews/slots.html", context, status=status)


@login_required
@require_GET
def slots(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = core_selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    return _slots_page(request, programme)


@login_required
@require_GET
def my_interviews(request: AuthedHttpRequest) -> HttpResponse:
    """The signed-in staff member's own interview times, and held interviews still without a record."""
    mine = selectors.slots_for_interviewer(user=request.user)
    return render(
        request,
        "interviews/my_interviews.html",
        {
            "mine": mine,
            # The record stays open to its interviewer until the coordinator decides; coordinators always.
            "may_write": sorted(INTERVIEWER_MAY_WRITE),
            "coordinates": core_selectors.organisation_ids_for_coordinator(user=request.user),
        },
    )


@login_required
@require_POST
def slot_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = core_selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    forms = _forms(request, programme, request.POST, "single")
    form = forms["slot_form"]
    if form.is_valid():
        starts_at, ends_at = form.times()
        try:
            slot = services.slot_create(
                programme=programme,
                interviewer=form.cleaned_data["interviewer"],
                starts_at=starts_at,
                ends_at=ends_at,
                video_link=form.cleaned_data["video_link"],
                actor=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The slot %(time)s was added.") % {"time": services.slot_label(slot, programme.organisation)},
            )
            return redirect("interviews:slots", pk=programme.pk)
    return _slots_page(request, programme, forms=forms, status=400)


@login_required
@require_POST
def slots_add_recurring(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = core_selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    forms = _forms(request, programme, request.POST, "recurring")
    form = forms["recurring_form"]
    if form.is_valid():
        data = form.cleaned_data
        pattern = services.Pattern(
            first_date=data["first_date"],
            last_date=data["last_date"],
            weekdays=frozenset(data["weekdays"]),
            day_start=data["day_start"],
            day_end=data["day_end"],
            length_minutes=data["length_minutes"],
            buffer_minutes=data["buffer_minutes"],
        )
        try:
            made = services.slots_create_recurring(
                programme=programme,
                interviewer=data["interviewer"],
                pattern=pattern,
                video_link=data["video_link"],
                actor=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)s slot was added.", "%(count)s slots were added.", len(made)) % {"count": len(made)},
            )
            return redirect("interviews:slots", pk=programme.pk)
    return _slots_page(request, programme, forms=forms, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def slot_cancel(request: AuthedHttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    """Asks once (GET), then cancels (POST)."""
    programme = core_selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    slot = selectors.slot_get_for_coordinator(user=request.user, pk=slot_pk, programme=programme)
    booking = (
        slot.bookings.filter(cancelled_at__isnull=True, no_show_at__isnull=True)
        .select_related("participant__user")
        .first()
    )
    form = CancelSlotForm(request.POST or None)
    error = ""
    if slot.cancelled_at is not None:
        messages.info(request, _("This slot has already been cancelled."))
        return redirect("interviews:slots", pk=programme.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.slot_cancel(slot=slot, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if booking is not None:
                messages.success(
                    request,
                    _("The slot was cancelled. %(name)s was told by email and can book another time.")
                    % {"name": booking.participant.display_name},
                )
            else:
                messages.success(request, _("The slot was cancelled."))
            return redirect("interviews:slots", pk=programme.pk)
    context = {
        "programme": programme,
        "slot": slot,
        "label": services.slot_label(slot, programme.organisation),
        "booking": booking,
        "form": form,
        "errors": [error] if error else [],
    }
    return render(request, "interviews/slot_cancel.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def booking_no_show(request: AuthedHttpRequest, pk: int, booking_pk: int) -> HttpResponse:
    programme = core_selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    booking = selectors.booking_get_for_coordinator(user=request.user, pk=booking_pk, programme=programme)
    if not booking.is_active:
        messages.info(request, _("This booking is no longer active."))
        return redirect("interviews:slots", pk=programme.pk)
    try:
        services.booking_mark_no_show(participant=booking.participant, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The missed interview was recorded. %(name)s was offered a new time by email.")
            % {"name": booking.participant.display_name},
        )
    return redirect("interviews:slots", pk=programme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Asks once (GET), then emails the booking link to everyone registered without a booking (POST)."""
    programme = core_selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    if request.method == "POST":
        sent = services.interview_invitations_send(programme=programme, actor=request.user)
        if sent:
            messages.success(
                request,
                ngettext(
                    "An invitation to book an interview was sent to %(count)s applicant.",
                    "An invitation to book an interview was sent to %(count)s applicants.",
                    sent,
                )
                % {"count": sent},
            )
        else:
            messages.info(request, _("Nobody new to invite: everyone without an interview was already invited today."))
        return redirect("interviews:slots", pk=programme.pk)
    waiting = selectors.applicants_without_booking(programme=programme)
    free = len(selectors.free_slots(programme=programme))
    context = {"programme": programme, "count": waiting.count(), "free": free}
    return render(request, "interviews/invite.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def video_links(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = core_selectors.organisation_get_for_coordinator(user=request.user, slug=slug)
    form = VideoLinksForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_video_links_set(
                organisation=organisation,
                video_links=form.cleaned_data["video_links"],
                jitsi_url=form.cleaned_data["jitsi_url"],
                link_scope=form.cleaned_data["link_scope"],
                actor=request.user,
            )
        except ValidationError as exc:
            organisation.refresh_from_db()
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The video link settings were saved."))
            return redirect("core:organisation_settings", slug=organisation.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "interviews/video_links.html", {"organisation": organisation, "form": form}, status=status)


# --- the applicant's booking page -------------------------------------------------------------


def _use_their_language(request: HttpRequest, participant: Participant) -> None:
    from django.conf import settings

    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and participant.language in dict(settings.LANGUAGES):
        translation.activate(participant.language)
        request.LANGUAGE_CODE = participant.language


def _resend_limited(request: HttpRequest) -> bool:
    """True when this network has asked for new links too often in the last hour."""
    return asked_too_often(request, scope="interviews:resend", limit=RESEND_LIMIT, window_seconds=RESEND_WINDOW_SECONDS)


def _link_not_working(request: HttpRequest, token: str) -> HttpResponse:
    """A link that opens nothing: say so, and offer to send a new one to the address they give."""
    form = LinkResendForm(request.POST or None)
    sent = False
    status = 404
    if request.method == "POST":
        if _resend_limited(request):
            form.add_error(None, _("Too many requests from this network. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            services.interview_link_resend(email=form.cleaned_data["email"])
            sent = True
        else:
            status = 400
    context = {"form": form, "sent": sent, "action": reverse("interviews:book", args=[token])}
    return render(request, "interviews/link_not_working.html", context, status=status)


def _booking_context(participant: Participant, token: str) -> dict[str, Any]:
    programme = participant.programme
    return {
        "participant": participant,
        "programme": programme,
        "organisation": programme.organisation,
        "token": token,
        "manage_url": reverse("public:manage", args=[token]),
        "book_url": reverse("interviews:book", args=[token]),
    }


def _slot_choice(participant: Participant, raw: Any) -> InterviewSlot | None:
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        return None
    if pk <= 0 or pk > 2**62:
        return None
    return InterviewSlot.objects.select_related("interviewer").filter(pk=pk, programme=participant.programme).first()


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, token: str) -> HttpResponse:
    """Book a slot (choose, then confirm), or see the booking with links to move or cancel it."""
    participant = participant_from_token(token)
    if participant is None:
        return _link_not_working(request, token)
    _use_their_language(request, participant)
    context = _booking_context(participant, token)
    organisation = participant.programme.organisation
    booking = selectors.booking_active(participant=participant)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        chosen = _slot_choice(participant, request.POST.get("slot"))
        try:
            if chosen is None:
                raise services.slot_taken_error(participant.programme, timezone.now())
            if booking is None:
                services.booking_create(slot=chosen, participant=participant)
                messages.success(request, _("Your interview is booked. We have sent you a confirmation by email."))
            else:
                services.booking_rebook(booking=booking, slot=chosen, by_applicant=True)
                messages.success(request, _("Your interview was moved. We have sent you the new time by email."))
        except ValidationError as exc:
            errors = list(exc.messages)
            status = 409 if getattr(exc, "code", "") == "taken" else 400
            participant.refresh_from_db()
            booking = selectors.booking_active(participant=participant)
        else:
            return redirect("interviews:book", token=token)
    can_book = participant.status == Status.REGISTERED and booking is None
    can_change = booking is not None and selectors.applicant_can_change(booking=booking)
    changing = booking is not None and can_change and (request.GET.get("change") == "1" or bool(errors))
    chosen = None
    if (can_book or changing) and not errors and "slot" in request.GET:
        chosen = _slot_choice(participant, request.GET.get("slot"))
        if chosen is None or chosen not in selectors.free_slots(programme=participant.programme):
            errors = [_("That time is no longer free. Please choose another one.")]
            chosen = None
    free = selectors.free_slots(programme=participant.programme) if (can_book or changing) and not chosen else []
    context.update(
        {
            "booking": booking,
            "booking_label": services.slot_label(booking.slot, organisation) if booking else "",
            "can_book": can_book,
            "can_change": can_change,
            "changing": changing,
            "chosen": chosen,
            "chosen_label": services.slot_label(chosen, organisation) if chosen else "",
            "days": selectors.by_day(free, organisation),
            "errors": errors,
            "cutoff_hours": int(services.APPLICANT_CUTOFF.total_seconds() // 3600),
        }
    )
    return render(request, "interviews/book.html", context, status=status)


@require_GET
def booking_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The booking as a calendar file, to add to one's own calendar."""
    participant = participant_from_token(token)
    booking = selectors.booking_active(participant=participant) if participant is not None else None
    if participant is None or booking is None:
        return _link_not_working(request, token)
    booking.participant = participant
    content = services.booking_ics_for_applicant(booking=booking, method=PUBLISH)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="interview.ics"'
    return response


@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Asks once (GET), then cancels the booking (POST); the person may book another time afterwards."""
    participant = participant_from_token(token)
    if participant is None:
        return _link_not_working(request, token)
    _use_their_language(request, participant)
    booking = selectors.booking_active(participant=participant)
    book_url = reverse("interviews:book", args=[token])
    if booking is None:
        return redirect(book_url)
    booking.participant = participant
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.booking_cancel(booking=booking, by_applicant=True)
        except ValidationError as exc:
            errors = list(exc.messages)
        else:
            messages.success(
                request, _("Your interview is cancelled. You can book another time below whenever it suits you.")
            )
            return redirect(book_url)
    context = {
        **_booking_context(participant, token),
        "booking": booking,
        "booking_label": services.slot_label(booking.slot, participant.programme.organisation),
        "can_change": selectors.applicant_can_change(booking=booking),
        "errors": errors,
    }
    return render(request, "interviews/booking_cancel.html", context, status=400 if errors else 200)
