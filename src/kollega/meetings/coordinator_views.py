"""The coordinator's schedule pages: a programme's schedule, setting a group's, changing one meeting, templates.

Thin views: read through the permission-checked selectors (404 for anyone but
the organisation's coordinators), call one service, show its errors next to
the field they name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.accounts.models import User
from kollega.core.http import AuthedHttpRequest
from kollega.core.models import MoveRule, Organisation
from kollega.core.selectors import organisation_get_for_coordinator, programme_get_for_coordinator
from kollega.core.services import subject_key
from kollega.grouping.facilitators import facilitators_for_group, group_get_for_coordinator
from kollega.grouping.models import Group
from kollega.meetings import agendas, links, messages, selectors
from kollega.meetings.coordinator_forms import (
    AgendaTemplateForm,
    MeetingAddForm,
    MeetingCancelForm,
    MeetingDetailsForm,
    MeetingFacilitatorsForm,
    MeetingMoveForm,
    MoveRuleForm,
    SegmentsForm,
    SessionTemplateForm,
    VideoLinkForm,
    apply_errors,
)
from kollega.meetings.models import Meeting, MeetingStatus, SessionTemplate
from kollega.meetings.services import (
    meeting_add,
    meeting_cancel,
    meeting_details_set,
    meeting_facilitators_set,
    meeting_move,
    schedule_generate,
    schedule_invite,
    schedule_preview,
    session_template_save,
    session_templates_ensure,
    video_link_set,
)

#: Empty rows "Add more rows" puts below an agenda table.
MORE_ROWS = 3


def _pastes_group_links(organisation: Organisation) -> bool:
    return not links.makes_rooms(organisation) and not links.per_meeting(organisation)


def _pastes_meeting_links(organisation: Organisation) -> bool:
    return not links.makes_rooms(organisation) and links.per_meeting(organisation)


def _day_and_time(meeting: Meeting) -> dict[str, str]:
    local = timezone.localtime(meeting.starts_at, meeting.group.programme.organisation.tz)
    return {"day": formats.date_format(local, "l j.n.Y"), "time": f"{local:%H:%M}"}


# --- the programme's schedule -----------------------------------------------------------------


@login_required
@require_GET
def programme_schedule(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    return render(
        request,
        "meetings/schedule/programme.html",
        {
            "programme": programme,
            "groups": selectors.programme_schedule(programme=programme),
            "move_rule": MoveRule(programme.move_rule).label,
        },
    )


# --- one group: preview and generate, or its meetings ------------------------------------------


def _preview_rows(group: Group, rule: str) -> tuple[list[dict[str, Any]], list[str]]:
    try:
        planned = schedule_preview(group=group, rule=rule)
    except ValidationError as exc:
        return [], exc.messages
    themes = selectors.planned_themes(group=group)
    rows = []
    for item in planned:
        # move_text reads only the move fields, so an unsaved meeting says it as the schedule will.
        shown = Meeting(planned_date=item.planned_date, move_reason=item.move_reason, move_note=item.move_note)
        rows.append(
            {
                "number": item.number,
                "starts_at": item.starts_at,
                "ends_at": item.starts_at + timedelta(minutes=group.programme.meeting_length_minutes),
                "theme": themes.get(item.number),
                "moved": messages.move_text(shown),
            }
        )
    return rows, []


def _group_page(
    request: AuthedHttpRequest,
    group: Group,
    *,
    rule_form: MoveRuleForm | None = None,
    link_form: VideoLinkForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    programme = group.programme
    organisation = programme.organisation
    schedule = selectors.group_schedule(group=group)
    context: dict[str, Any] = {
        "programme": programme,
        "group": group,
        "schedule": schedule,
        "errors": errors or [],
        "facilitators": messages.facilitators(None, group),
        "public_jitsi": organisation.uses_public_jitsi,
    }
    if schedule.has_schedule:
        context.update(
            {
                "paste_group_link": _pastes_group_links(organisation),
                "link_form": link_form or VideoLinkForm(link=group.video_link),
                "members": len(messages.members(group)),
            }
        )
        return render(request, "meetings/schedule/group_meetings.html", context, status=status)
    rule_form = rule_form or MoveRuleForm(programme=programme)
    rows, preview_errors = _preview_rows(group, rule_form.value())
    context.update(
        {
            "rule_form": rule_form,
            "rule": rule_form.value(),
            "rows": rows,
            "preview_errors": preview_errors,
            "in_past": bool(rows) and rows[0]["starts_at"] <= timezone.now(),
            "members": len(messages.members(group)),
            "moved_count": sum(1 for r in rows if r["moved"]),
        }
    )
    return render(request, "meetings/schedule/group_preview.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def group_schedule(request: AuthedHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    group = group_get_for_coordinator(user=request.user, programme_pk=pk, group_pk=group_pk)
    if request.method == "GET":
        rule_form = MoveRuleForm(request.GET if "rule" in request.GET else None, programme=group.programme)
        return _group_page(request, group, rule_form=rule_form)
    rule_form = MoveRuleForm(request.POST, programme=group.programme)
    try:
        created = schedule_generate(group=group, actor=request.user, rule=rule_form.value())
    except ValidationError as exc:
        group.refresh_from_db()
        return _group_page(request, group, rule_form=rule_form, errors=exc.messages, status=400)
    invited = selectors.invitation_count(group=group)
    made = ngettext(
        "The schedule of %(group)s is set: %(count)d meeting.",
        "The schedule of %(group)s is set: %(count)d meetings.",
        len(created),
    ) % {"group": group.name, "count": len(created)}
    sent = ngettext(
        "%(count)d invitation was queued in the outbox.",
        "%(count)d invitations were queued in the outbox.",
        invited,
    ) % {"count": invited}
    flash.success(request, f"{made} {sent}")
    return redirect(reverse("schedule:programme", args=[group.programme_id]) + f"#group-{group.pk}")


@login_required
@require_POST
def group_invite(request: AuthedHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    group = group_get_for_coordinator(user=request.user, programme_pk=pk, group_pk=group_pk)
    try:
        queued = schedule_invite(group=group, actor=request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        if queued:
            flash.success(
                request,
                ngettext(
                    "%(count)d invitation was queued in the outbox.",
                    "%(count)d invitations were queued in the outbox.",
                    queued,
                )
                % {"count": queued},
            )
        else:
            flash.info(request, _("Everyone in the group already has the invitation. Nothing new was sent."))
    return redirect("schedule:group", pk=group.programme_id, group_pk=group.pk)


@login_required
@require_POST
def group_link(request: AuthedHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    group = group_get_for_coordinator(user=request.user, programme_pk=pk, group_pk=group_pk)
    if not _pastes_group_links(group.programme.organisation):
        raise Http404
    form = VideoLinkForm(request.POST, link=group.video_link)
    if form.is_valid():
        try:
            video_link_set(group=group, link=form.cleaned_data["video_link"], actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash.success(request, _("The group's video link was saved. Invited people get the new link."))
            return redirect("schedule:group", pk=group.programme_id, group_pk=group.pk)
    group.refresh_from_db()
    return _group_page(request, group, link_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def group_meeting_add(request: AuthedHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    group = group_get_for_coordinator(user=request.user, programme_pk=pk, group_pk=group_pk)
    programme = group.programme
    themes = selectors.programme_themes(programme=programme)
    form = MeetingAddForm(
        request.POST or None,
        programme=programme,
        themes=themes,
        tz=programme.organisation.tz,
        initial={"time": group.time_slot.start_time, "length_minutes": programme.meeting_length_minutes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_add(
                group=group,
                starts_at=form.starts_at(),
                actor=request.user,
                theme=form.chosen_theme(),
                length_minutes=form.cleaned_data["length_minutes"],
            )
        except ValidationError as exc:
            apply_errors(form, exc, {"starts_at": "date"})
        else:
            flash.success(
                request,
                _("Meeting %(number)s was added on %(day)s at %(time)s.")
                % {"number": meeting.number, **_day_and_time(meeting)},
            )
            return redirect("schedule:group", pk=programme.pk, group_pk=group.pk)
    return render(
        request,
        "meetings/schedule/meeting_add.html",
        {"programme": programme, "group": group, "form": form},
        status=400 if form.errors else 200,
    )


# --- one meeting ---------------------------------------------------------------------------------


def _people(meeting: Meeting) -> dict[int, User]:
    people = facilitators_for_group(group=meeting.group)
    for user in (meeting.lead_facilitator, meeting.co_facilitator):
        if user is not None:
            people.setdefault(user.pk, user)
    return people


def _meeting_forms(meeting: Meeting) -> dict[str, forms.Form]:
    group = meeting.group
    organisation = group.programme.organisation
    themes = selectors.programme_themes(programme=group.programme)
    return {
        "move": MeetingMoveForm(meeting=meeting, tz=organisation.tz),
        "cancel": MeetingCancelForm(),
        "facilitators": MeetingFacilitatorsForm(meeting=meeting, people=_people(meeting)),
        "details": MeetingDetailsForm(meeting=meeting, themes=themes),
        "template": AgendaTemplateForm(
            templates=session_templates_ensure(organisation=organisation), current=meeting.template_id
        ),
        "agenda": SegmentsForm(segments=meeting.agenda),
        "link": VideoLinkForm(link=meeting.video_link),
    }


def _meeting_page(
    request: AuthedHttpRequest, meeting: Meeting, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    group = meeting.group
    organisation = group.programme.organisation
    page_forms = {**_meeting_forms(meeting), **(bound or {})}
    about = subject_key(meeting)
    counts = selectors.outbox_counts(organisation_id=organisation.pk, subjects=[about])
    return render(
        request,
        "meetings/schedule/meeting.html",
        {
            "programme": group.programme,
            "group": group,
            "meeting": meeting,
            "forms": page_forms,
            "bound": next(iter(bound.values())) if bound else None,
            "planned": meeting.status == MeetingStatus.PLANNED,
            "moved": messages.move_text(meeting),
            "facilitators": messages.facilitators(meeting, group),
            "own_facilitators": bool(meeting.lead_facilitator_id or meeting.co_facilitator_id),
            "link": messages.video_link(meeting),
            "paste_meeting_link": _pastes_meeting_links(organisation),
            "agenda_lines": messages.agenda_lines(meeting),
            "warnings": agendas.warnings(meeting.agenda, meeting.length_minutes),
            "device": messages.device_text(meeting),
            "outbox": counts[about],
        },
        status=status,
    )


#: What a POST to the meeting page does: the form it fills and the change it makes.
Outcome = tuple[forms.Form, str | None]


def _move(request: AuthedHttpRequest, meeting: Meeting) -> Outcome:
    form = MeetingMoveForm(request.POST, meeting=meeting, tz=meeting.group.programme.organisation.tz)
    if form.is_valid():
        try:
            moved = meeting_move(
                meeting=meeting, starts_at=form.starts_at(), actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_errors(form, exc, {"starts_at": "date"})
        else:
            return form, _(
                "The meeting was moved to %(day)s at %(time)s. Everyone invited gets the change to their calendar."
            ) % _day_and_time(moved)
    return form, None


def _cancel(request: AuthedHttpRequest, meeting: Meeting) -> Outcome:
    form = MeetingCancelForm(request.POST)
    if form.is_valid():
        try:
            meeting_cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return form, _("The meeting was cancelled. Everyone invited gets a cancellation of the calendar entry.")
    return form, None


def _facilitators(request: AuthedHttpRequest, meeting: Meeting) -> Outcome:
    form = MeetingFacilitatorsForm(request.POST, meeting=meeting, people=_people(meeting))
    if form.is_valid():
        try:
            meeting_facilitators_set(
                meeting=meeting, lead=form.person("lead"), co=form.person("co"), actor=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return form, _("The meeting's facilitators were saved.")
    return form, None


def _details(request: AuthedHttpRequest, meeting: Meeting) -> Outcome:
    themes = selectors.programme_themes(programme=meeting.group.programme)
    form = MeetingDetailsForm(request.POST, meeting=meeting, themes=themes)
    if form.is_valid():
        try:
            meeting_details_set(
                meeting=meeting,
                actor=request.user,
                theme=form.chosen_theme(),
                expert_speaker=form.cleaned_data["expert_speaker"],
                expert_title=form.cleaned_data["expert_title"],
                recording_url=form.cleaned_data["recording_url"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return form, _("The theme and the expert talk were saved.")
    return form, None


def _template(request: AuthedHttpRequest, meeting: Meeting) -> Outcome:
    templates = session_templates_ensure(organisation=meeting.group.programme.organisation)
    form = AgendaTemplateForm(request.POST, templates=templates)
    if form.is_valid():
        chosen = form.chosen()
        try:
            meeting_details_set(meeting=meeting, actor=request.user, template=chosen)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return form, _("The agenda was made from the template %(name)s.") % {"name": chosen.name}
    return form, None


def _agenda(request: AuthedHttpRequest, meeting: Meeting) -> Outcome:
    form = SegmentsForm(request.POST, segments=meeting.agenda)
    if form.is_valid():
        try:
            meeting_details_set(meeting=meeting, actor=request.user, agenda=form.segments())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return form, _("The agenda was saved.")
    return form, None


def _link(request: AuthedHttpRequest, meeting: Meeting) -> Outcome:
    if not _pastes_meeting_links(meeting.group.programme.organisation):
        raise Http404
    form = VideoLinkForm(request.POST, link=meeting.video_link)
    if form.is_valid():
        try:
            video_link_set(
                group=meeting.group, meeting=meeting, link=form.cleaned_data["video_link"], actor=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return form, _("The meeting's video link was saved. Invited people get the new link.")
    return form, None


_ACTIONS: dict[str, Callable[[AuthedHttpRequest, Meeting], Outcome]] = {
    "move": _move,
    "cancel": _cancel,
    "facilitators": _facilitators,
    "details": _details,
    "template": _template,
    "agenda": _agenda,
    "link": _link,
}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthedHttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_coordinator(user=request.user, programme_pk=pk, meeting_pk=meeting_pk)
    if request.method == "GET":
        return _meeting_page(request, meeting)
    action = request.POST.get("action", "")
    if action == "more_rows":
        # More empty rows for the agenda, keeping what was typed; nothing is saved.
        more = SegmentsForm(request.POST, segments=meeting.agenda, more=MORE_ROWS)
        return _meeting_page(request, meeting, {"agenda": more})
    handler = _ACTIONS.get(action)
    if handler is None:
        raise Http404
    form, done = handler(request, meeting)
    if done is not None:
        flash.success(request, done)
        return redirect("schedule:meeting", pk=pk, meeting_pk=meeting.pk)
    meeting = selectors.meeting_get_for_coordinator(user=request.user, programme_pk=pk, meeting_pk=meeting_pk)
    return _meeting_page(request, meeting, {action: form}, status=400)


# --- session templates ---------------------------------------------------------------------------


@login_required
@require_GET
def session_templates(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_coordinator(user=request.user, slug=slug)
    templates = session_templates_ensure(organisation=organisation)
    rows = []
    for template in sorted(templates, key=lambda t: (not t.for_first_meeting, t.name.lower())):
        total = sum(s.minutes for s in agendas.segments(template.segments))
        rows.append(
            {
                "template": template,
                "total": total,
                "parts": [s.title for s in agendas.segments(template.segments)],
                "warnings": agendas.warnings(template.segments, total),
            }
        )
    return render(request, "meetings/schedule/templates.html", {"organisation": organisation, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def session_template_edit(request: AuthedHttpRequest, slug: str, template_pk: int | None = None) -> HttpResponse:
    organisation = organisation_get_for_coordinator(user=request.user, slug=slug)
    template: SessionTemplate | None = None
    if template_pk is not None:
        template = selectors.session_template_get_for_coordinator(user=request.user, slug=slug, pk=template_pk)
    segments = list(template.segments) if template else []
    data = request.POST if request.method == "POST" else None
    more = data is not None and data.get("action") == "more_rows"
    if more and data is not None:
        # Only more rows: the form comes back as typed, unchecked.
        form = SessionTemplateForm(
            initial={
                "name": data.get("template-name", ""),
                "for_first_meeting": bool(data.get("template-for_first_meeting")),
            }
        )
    else:
        form = SessionTemplateForm(data, template=template)
    segments_form = SegmentsForm(data, segments=segments, more=MORE_ROWS if more else 0, prefix="segments")
    status = 200
    if data is not None and not more:
        if form.is_valid() & segments_form.is_valid():
            try:
                saved = session_template_save(
                    organisation=organisation,
                    template=template,
                    name=form.cleaned_data["name"],
                    for_first_meeting=form.cleaned_data["for_first_meeting"],
                    segments=segments_form.segments(),
                    actor=request.user,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    # The name's problems go next to it; the segments' above the table.
                    for name, errors in exc.message_dict.items():
                        target: forms.Form = segments_form if name == "segments" else form
                        for error in errors:
                            target.add_error(name if name in target.fields else None, error)
                else:
                    apply_errors(form, exc)
            else:
                flash.success(request, _("The session template %(name)s was saved.") % {"name": saved.name})
                return redirect("schedule:templates", slug=organisation.slug)
        status = 400
    typed = data is not None and not more and not segments_form.errors
    shown = segments_form.segments() if typed else segments
    total = sum(s.minutes for s in agendas.segments(shown))
    return render(
        request,
        "meetings/schedule/template_edit.html",
        {
            "organisation": organisation,
            "template": template,
            "form": form,
            "segments_form": segments_form,
            "total": total,
            "warnings": agendas.warnings(shown, total) if shown else [],
        },
        status=status,
    )
