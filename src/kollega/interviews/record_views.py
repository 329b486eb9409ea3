"""The interview record (coordinators and the person's interviewer), accept and decline pages (coordinators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kollega.core import selectors as core_selectors
from kollega.core.http import AuthedHttpRequest
from kollega.interviews import record_selectors as selectors
from kollega.interviews import record_services as services
from kollega.interviews.record_forms import DeclineForm, InterviewRecordForm


def _apply_errors(form: Any, exc: ValidationError) -> None:
    """A service's errors next to the fields they name; the rest at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
def record_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get_for_interviewer(user=request.user, pk=pk)
    can_decide = selectors.user_can_decide(user=request.user, participant=participant)
    programme = participant.programme
    record = selectors.interview_record_get(participant=participant)
    overview = selectors.interview_overview(participant=participant)
    consents = selectors.interview_consents_current(participant=participant)
    form = InterviewRecordForm(
        request.POST if request.method == "POST" else None,
        initial=selectors.record_initial(participant=participant, record=record, user=request.user),
        participant=participant,
        interviewers=selectors.interviewer_choices(participant=participant),
        time_slots=list(programme.time_slots.order_by("position", "start_time")),
        consents=consents,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.interview_record_save(
                    participant=participant,
                    interviewer=form.cleaned_data["interviewer"],
                    data=form.to_data(),
                    actor=request.user,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The interview record was saved."))
                if not can_decide:
                    return redirect("interviews:my_interviews")
                return redirect("core:participant_detail", pk=participant.pk)
        status = 400
    return render(
        request,
        "interviews/record_form.html",
        {
            "participant": participant,
            "programme": programme,
            "form": form,
            "record": record,
            "overview": overview,
            "can_decide": can_decide,
        },
        status=status,
    )


@login_required
def accept(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    participant = core_selectors.participant_get_for_coordinator(user=request.user, pk=pk)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            services.participant_accept(participant=participant, actor=request.user)
        except ValidationError as exc:
            errors, status = list(exc.messages), 400
        else:
            messages.success(
                request,
                _("%(name)s was accepted and got an email about what happens next.")
                % {"name": participant.display_name},
            )
            return redirect("core:participant_detail", pk=participant.pk)
    overview = selectors.interview_overview(participant=participant)
    return render(
        request,
        "interviews/decision_accept.html",
        {"participant": participant, "programme": participant.programme, "overview": overview, "errors": errors},
        status=status,
    )


@login_required
def decline(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    participant = core_selectors.participant_get_for_coordinator(user=request.user, pk=pk)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.participant_decline(
                    participant=participant,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s was declined and got a kind email.") % {"name": participant.display_name},
                )
                return redirect("core:participant_detail", pk=participant.pk)
        status = 400
    overview = selectors.interview_overview(participant=participant)
    return render(
        request,
        "interviews/decision_decline.html",
        {"participant": participant, "programme": participant.programme, "overview": overview, "form": form},
        status=status,
    )
