"""The meeting pages of facilitators and participants, the material downloads and the signed links from the emails.

Every page fetches through a selector in ``participant_selectors`` that checks
who is asking (others get "not found") and changes things only through
``meetings.services``; the services word every refusal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from icalendar import Calendar

from kollega.core.http import AuthedHttpRequest
from kollega.core.models import Participant
from kollega.meetings import calendar, links, messages, services
from kollega.meetings import participant_selectors as selectors
from kollega.meetings.forms import (
    MATERIAL_FORMS,
    AbsenceForm,
    AttendanceForm,
    MaterialForm,
    NotesForm,
    SignInCodeForm,
    apply_errors,
)
from kollega.meetings.models import Material, Meeting, MeetingStatus

# --- facilitators: the group and the meeting ----------------------------------------------------


@login_required
@require_GET
def group(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A group's meetings and members, for its facilitators and the coordinators."""
    found = selectors.group_get_for_facilitator(user=request.user, pk=pk)
    return render(
        request,
        "meetings/group.html",
        {
            "group": found,
            "organisation": found.programme.organisation,
            "rows": selectors.group_meetings_for_facilitator(user=request.user, group=found),
            "memberships": selectors.group_memberships(group=found),
        },
    )


def _page_url(meeting: Meeting, section: str = "") -> str:
    url = reverse("meetings:meeting", args=[meeting.pk])
    return f"{url}#{section}" if section else url


def _meeting_page(
    request: AuthedHttpRequest,
    meeting: Meeting,
    *,
    attendance_form: AttendanceForm | None = None,
    notes_form: NotesForm | None = None,
    material_form: MaterialForm | None = None,
    status: int = 200,
) -> HttpResponse:
    group = meeting.group
    organisation = group.programme.organisation
    now = timezone.now()
    rows = selectors.meeting_attendance(meeting=meeting)
    material_forms = {kind: form_class() for kind, form_class in MATERIAL_FORMS.items()}
    if material_form is not None:
        material_forms[material_form.kind] = material_form
    forms_with_errors = [f for f in (attendance_form, notes_form, material_form) if f is not None and f.errors]
    context: dict[str, Any] = {
        "meeting": meeting,
        "group": group,
        "organisation": organisation,
        "when": messages.when(meeting),
        "theme": messages.theme_name(meeting),
        "moved": messages.move_text(meeting),
        "link": messages.video_link(meeting),
        "agenda": messages.agenda_lines(meeting),
        "warnings": selectors.agenda_warnings(meeting),
        "device": messages.device_text(meeting),
        "facilitators": messages.facilitators(meeting, group),
        "public_jitsi": organisation.uses_public_jitsi,
        "started": meeting.starts_at <= now,
        "cancelled": meeting.status == MeetingStatus.CANCELLED,
        "held": meeting.status == MeetingStatus.HELD,
        "held_log": selectors.meeting_held_log(meeting=meeting),
        "rows": rows,
        "attendance_form": attendance_form or AttendanceForm(rows=rows, tz=organisation.tz),
        "notes_form": notes_form or NotesForm(initial={"notes": meeting.notes}),
        "materials": selectors.meeting_materials(meeting=meeting),
        "material_forms": list(material_forms.values()),
        "open_kind": material_form.kind if material_form is not None else "",
        "sent_log": selectors.materials_sent_log(meeting=meeting),
        "error_forms": forms_with_errors,
    }
    return render(request, "meetings/meeting.html", context, status=status)


@login_required
@require_GET
def meeting(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The facilitator's page of one meeting: what it is, attendance, marking it held, notes and materials."""
    return _meeting_page(request, selectors.meeting_get_for_facilitator(user=request.user, pk=pk))


@login_required
@require_POST
def meeting_attendance(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = selectors.meeting_get_for_facilitator(user=request.user, pk=pk)
    rows = selectors.meeting_attendance(meeting=found)
    form = AttendanceForm(request.POST, rows=rows, tz=found.group.programme.organisation.tz)
    if form.is_valid():
        states = form.changed_states()
        try:
            if states:
                services.attendance_record(meeting=found, states=states, actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("The attendance was saved."))
            return redirect(_page_url(found, "attendance"))
    return _meeting_page(request, found, attendance_form=form, status=400)


@login_required
@require_POST
def meeting_held(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = selectors.meeting_get_for_facilitator(user=request.user, pk=pk)
    try:
        services.meeting_mark_held(meeting=found, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            flash.error(request, message)
    else:
        flash.success(request, _("The meeting is marked held. Add the materials and send them to the group."))
    return redirect(_page_url(found, "held"))


@login_required
@require_POST
def meeting_notes(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = selectors.meeting_get_for_facilitator(user=request.user, pk=pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_notes_set(meeting=found, notes=form.cleaned_data["notes"], actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("The notes were saved."))
            return redirect(_page_url(found, "notes"))
    return _meeting_page(request, found, notes_form=form, status=400)


@login_required
@require_POST
def material_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = selectors.meeting_get_for_facilitator(user=request.user, pk=pk)
    form_class = MATERIAL_FORMS.get(request.POST.get("kind", ""))
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            material = services.material_add(
                meeting=found, actor=request.user, kind=form_class.kind, **form.service_arguments()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("“%(title)s” was added to the materials.") % {"title": material.title})
            return redirect(_page_url(found, "materials"))
    if "file" in form.fields and request.FILES.get(form.add_prefix("file")) and not form.has_error("file"):
        # A browser never keeps a chosen file when the page comes back: say so rather than lose it quietly.
        form.add_error("file", _("Choose the file again: it was not saved because of the other problem in this form."))
    return _meeting_page(request, found, material_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def material_delete(request: AuthedHttpRequest, pk: int, material_pk: int) -> HttpResponse:
    """Asks once, then deletes the material (and its file)."""
    found = selectors.meeting_get_for_facilitator(user=request.user, pk=pk)
    material = selectors.material_get_for_meeting(meeting=found, pk=material_pk)
    if request.method == "POST":
        title = material.title
        services.material_delete(material=material, actor=request.user)
        flash.success(request, _("“%(title)s” was deleted from the materials.") % {"title": title})
        return redirect(_page_url(found, "materials"))
    return render(
        request,
        "meetings/material_delete.html",
        {"meeting": found, "material": material, "when": messages.when(found)},
    )


@login_required
@require_POST
def materials_send(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = selectors.meeting_get_for_facilitator(user=request.user, pk=pk)
    try:
        count = services.materials_send(meeting=found, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            flash.error(request, message)
    else:
        flash.success(
            request,
            ngettext(
                "The materials are on their way to %(count)s member.",
                "The materials are on their way to %(count)s members.",
                count,
            )
            % {"count": count},
        )
    return redirect(_page_url(found, "send"))


# --- material downloads -------------------------------------------------------------------------


@login_required
@require_GET
def material_download(request: AuthedHttpRequest, pk: int) -> FileResponse:
    """A material file, always as an attachment with its stored type: never shown inline."""
    material: Material = selectors.material_get_for_user(user=request.user, pk=pk)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=material.filename, content_type=material.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-cache"
    return response


# --- participants: their meetings and calendar files --------------------------------------------


@login_required
@require_GET
def mine(request: AuthedHttpRequest) -> HttpResponse:
    """The signed-in person's meetings, with the join button, calendar files and the materials of past meetings."""
    groups = selectors.meetings_for_member(user=request.user)
    any_planned = any(item.meeting.status == MeetingStatus.PLANNED for g in groups for item in g.meetings)
    return render(request, "meetings/mine.html", {"groups": groups, "any_planned": any_planned})


def _calendar_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def meeting_calendar(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One meeting as a calendar file, for its members (and its facilitators)."""
    for_member = True
    try:
        found = selectors.meeting_get_for_member(user=request.user, pk=pk)
    except Http404:
        found = selectors.meeting_get_for_facilitator(user=request.user, pk=pk)
        for_member = False
    language = translation.get_language() or settings.LANGUAGE_CODE
    text = messages.ics_for(None, calendar.PUBLISH, [found], language=language, for_member=for_member)
    return _calendar_response(text, f"meeting-{found.number}.ics")


@login_required
@require_GET
def mine_calendar(request: AuthedHttpRequest) -> HttpResponse:
    """Every planned meeting of every group the person is in, in one calendar file."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    merged = Calendar()
    merged.add("prodid", calendar.PRODID)
    merged.add("version", "2.0")
    merged.add("method", calendar.PUBLISH)
    for group_meetings in selectors.planned_meetings_for_member(user=request.user).values():
        part = messages.ics_for(None, calendar.PUBLISH, group_meetings, language=language, for_member=True)
        for event in Calendar.from_ical(part).walk("VEVENT"):
            merged.add_component(event)
    return _calendar_response(merged.to_ical().decode("utf-8"), "all-meetings.ics")


# --- the signed links from the emails -----------------------------------------------------------


def _link_not_working(request: HttpRequest) -> HttpResponse:
    context = {"form": SignInCodeForm(), "sent": False, "action": reverse("account_request_login_code")}
    return render(request, "meetings/link_not_working.html", context, status=404)


def _language(request: HttpRequest, participant: Participant) -> str:
    """The person's own choice from the language menu, else the language they registered in."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        language = (translation.get_language() or "")[:2]
        if language in dict(settings.LANGUAGES):
            return language
    return participant.language


@require_http_methods(["GET", "POST"])
def absence(request: HttpRequest, token: str) -> HttpResponse:
    """ "I can't come this time" from the reminder: no sign-in, the signed link is the key. GET changes nothing."""
    found = selectors.absence_from_token(token)
    if found is None:
        return _link_not_working(request)
    meeting_, participant = found
    with translation.override(_language(request, participant)):
        form = AbsenceForm(request.POST or None)
        problems: list[str] = []
        if request.method == "POST":
            try:
                if request.POST.get("action") == "withdraw":
                    services.absence_withdraw(meeting=meeting_, participant=participant)
                    done = _("Thank you. The facilitators see that you are coming after all.")
                elif form.is_valid():
                    services.absence_tell(meeting=meeting_, participant=participant, note=form.cleaned_data["note"])
                    done = _("Thank you for telling us. The facilitators see that you cannot come this time.")
                else:
                    done = ""
            except ValidationError as exc:
                problems = exc.messages
            else:
                if done:
                    flash.success(request, done)
                    return redirect("meetings:absence", token=token)
        context = {
            "meeting": meeting_,
            "participant": participant,
            "organisation": meeting_.group.programme.organisation,
            "when": messages.when(meeting_),
            "theme": messages.theme_name(meeting_),
            "state": selectors.absence_state(meeting_, participant, timezone.now()),
            "told": selectors.absence_told(meeting=meeting_, participant=participant),
            "form": form,
            "problems": problems,
        }
        response = render(request, "meetings/absence.html", context, status=400 if form.errors or problems else 200)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def setup_test(request: HttpRequest, token: str) -> HttpResponse:
    """Short instructions and the group's link to try before the first meeting."""
    found = selectors.setup_test_from_token(token)
    if found is None:
        return _link_not_working(request)
    organisation = found.group.programme.organisation
    response = render(
        request,
        "meetings/setup_test.html",
        {
            "group": found.group,
            "organisation": organisation,
            "link": found.link,
            "next_meeting": found.next_meeting,
            "when": messages.when(found.next_meeting) if found.next_meeting else None,
            "jitsi": links.makes_rooms(organisation),
            "public_jitsi": organisation.uses_public_jitsi,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
