"""Core pages: home, programmes, themes, participants, organisation settings.

Views parse input, fetch through permission-checked selectors, call one
service and render. Business rules live in services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kollega.core import selectors, services
from kollega.core import status as machine
from kollega.core.forms import (
    BulkStatusForm,
    ClosedPeriodForm,
    OrganisationForm,
    ParticipantFilterForm,
    PartnerForm,
    ProgrammeCreateForm,
    ProgrammeSettingsForm,
    StatusChangeForm,
    ThemeForm,
)
from kollega.core.http import AuthedHttpRequest
from kollega.core.models import ClosedPeriod, ConsentItem, Organisation, Status, Theme

PAGE_SIZE = 50


def _apply_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else (f"{field}_fi" if f"{field}_fi" in form.fields else None)
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def not_found(request: HttpRequest) -> HttpResponse:
    raise Http404


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    roles = selectors.roles_for_user(user=request.user)
    if roles.coordinator:
        return redirect("core:programme_list")
    if roles.facilitator:
        return redirect("grouping:my_groups")
    if roles.participant:
        return redirect("core:participant_home")
    return render(request, "core/no_role.html")


# --- programmes -------------------------------------------------------------


@login_required
def programme_list(request: AuthedHttpRequest) -> HttpResponse:
    organisations = selectors.organisation_list_for_coordinator(user=request.user)
    if not organisations.exists():
        raise Http404
    programmes = selectors.programme_list_for_user(user=request.user)
    return render(request, "core/programme_list.html", {"programmes": programmes, "organisations": organisations})


@login_required
def programme_create(request: AuthedHttpRequest) -> HttpResponse:
    organisations = list(selectors.organisation_list_for_coordinator(user=request.user))
    if not organisations:
        raise Http404
    form = ProgrammeCreateForm(
        request.POST or None, organisations=selectors.organisation_list_for_coordinator(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create_from_template(
                organisation=form.cleaned_data["organisation"],
                template_key=form.cleaned_data["template_key"],
                title=form.language_values("title"),
                slug=form.cleaned_data["slug"],
                actor=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The programme was created. Check its settings below."))
            return redirect("core:programme_detail", pk=programme.pk)
    return render(request, "core/programme_create.html", {"form": form})


@login_required
def programme_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    counts = selectors.participant_status_counts(programme=programme)
    labels = dict(Status.choices)
    context = {
        "programme": programme,
        "time_slots": programme.time_slots.all(),
        "themes": programme.themes.all(),
        "status_counts": [(s, labels[s], counts[s]) for s in Status.values],
        "total": sum(counts.values()),
        "groups": programme.groups.annotate(member_count=Count("memberships")).select_related(
            "time_slot", "lead_facilitator", "co_facilitator"
        ),
    }
    return render(request, "core/programme_detail.html", context)


@login_required
def programme_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    # Registration times are typed and shown in the organisation's own time zone.
    with timezone.override(programme.organisation.tz):
        form = ProgrammeSettingsForm(request.POST or None, instance=programme)
        if request.method == "POST" and form.is_valid():
            try:
                services.programme_update(programme=programme, actor=request.user, **form.changes())
            except ValidationError as exc:
                programme.refresh_from_db()
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("core:programme_detail", pk=programme.pk)
        return render(request, "core/programme_edit.html", {"form": form, "programme": programme})


@login_required
def theme_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_create(
                programme=programme,
                title=form.language_values("title"),
                description=form.language_values("description"),
                position_rule=form.cleaned_data["position_rule"],
                actor=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The theme was added."))
            return redirect("core:programme_detail", pk=programme.pk)
    return render(request, "core/theme_form.html", {"form": form, "programme": programme, "theme": None})


@login_required
def theme_edit(request: AuthedHttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    theme = get_object_or_404(Theme, pk=theme_pk, programme=programme)
    form = ThemeForm(request.POST or None, theme=theme)
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_update(
                theme=theme,
                actor=request.user,
                title=form.language_values("title"),
                description=form.language_values("description"),
                position_rule=form.cleaned_data["position_rule"],
            )
        except ValidationError as exc:
            theme.refresh_from_db()
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The theme was saved."))
            return redirect("core:programme_detail", pk=programme.pk)
    return render(request, "core/theme_form.html", {"form": form, "programme": programme, "theme": theme})


# --- participants -----------------------------------------------------------


@login_required
def participant_list(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    from kollega.notifications.selectors import undelivered_latest  # the outbox builds on the core

    programme = selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    time_slots = list(programme.time_slots.all())
    themes = [theme for theme in programme.themes.all() if theme.is_rankable]
    filter_form = ParticipantFilterForm(
        request.GET or None, time_slots=time_slots, channels=list(programme.channels.all()), themes=themes
    )
    filters = filter_form.to_filters()
    queryset = selectors.participant_list(programme=programme, filters=filters)
    bulk_form = None
    if request.method == "POST":
        bulk_form = BulkStatusForm(request.POST, queryset=queryset)
        if bulk_form.is_valid():
            chosen = list(bulk_form.cleaned_data["participants"])
            if not bulk_form.cleaned_data["confirm"]:
                return render(
                    request,
                    "core/participant_bulk_confirm.html",
                    {
                        "programme": programme,
                        "form": bulk_form,
                        "chosen": chosen,
                        "target_label": dict(Status.choices)[bulk_form.cleaned_data["to_status"]],
                    },
                )
            try:
                services.participants_change_status_bulk(
                    participants=chosen,
                    to_status=bulk_form.cleaned_data["to_status"],
                    reason=bulk_form.cleaned_data["reason"],
                    actor=request.user,
                )
            except services.BulkTransitionError as exc:
                return render(
                    request,
                    "core/participant_bulk_confirm.html",
                    {
                        "programme": programme,
                        "form": bulk_form,
                        "chosen": chosen,
                        "refused": exc.refused,
                        "target_label": dict(Status.choices)[bulk_form.cleaned_data["to_status"]],
                    },
                )
            messages.success(request, _("%(count)d participants were moved.") % {"count": len(chosen)})
            return redirect(request.get_full_path())
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # One query for the page: whose latest email, of any kind, could not be delivered.
    undelivered = undelivered_latest(organisation_id=programme.organisation_id, recipients=[p.user.email for p in rows])
    theme_labels = {theme.key: theme.label for theme in themes}
    for participant in rows:
        # The first three wishes, by the themes' names; a theme since removed is left out.
        wishes = [theme_labels[key] for key in participant.theme_ranking or [] if key in theme_labels]
        participant.top_wishes = wishes[: selectors.THEME_FILTER_PLACES]  # type: ignore[attr-defined]
        participant.channel = getattr(getattr(participant, "registration", None), "channel", None)  # type: ignore[attr-defined]
        participant.interview_state = selectors.interview_state(participant)  # type: ignore[attr-defined]
        participant.undelivered = undelivered.get((participant.user.email or "").strip().lower())  # type: ignore[attr-defined]
    return render(
        request,
        "core/participant_list.html",
        {
            "programme": programme,
            "filter_form": filter_form,
            "page": page,
            "rows": rows,
            "bulk_form": bulk_form or BulkStatusForm(queryset=queryset),
            "filtered": filters.active,
            "programme_total": paginator.count if not filters.active else programme.participants.count(),
        },
    )


@login_required
def participant_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get_for_coordinator(user=request.user, pk=pk)
    return _participant_detail(request, participant, StatusChangeForm(current=participant.status))


#: The participant page lists this many of the latest messages; the outbox has the rest.
MESSAGES_SHOWN = 50


def _participant_detail(
    request: HttpRequest, participant: Any, form: StatusChangeForm, status: int = 200
) -> HttpResponse:
    # Recruitment builds on the core; a local import keeps the core free of it at import time.
    from kollega.evaluation.selectors import contact_requests_for_participant
    from kollega.interviews.record_selectors import interview_overview
    from kollega.notifications.selectors import messages_to_participant, undelivered_latest
    from kollega.recruitment.exports import registration_details

    current = selectors.consents_current(participant=participant)
    # One more than is shown tells whether any were left out.
    sent_messages = messages_to_participant(participant=participant, limit=MESSAGES_SHOWN + 1)
    messages_cut = len(sent_messages) > MESSAGES_SHOWN
    sent_messages = sent_messages[:MESSAGES_SHOWN]
    # The latest message to the address could not be delivered: the coordinator should hear of it first.
    undelivered = next(
        iter(
            undelivered_latest(
                organisation_id=participant.programme.organisation_id, recipients=[participant.user.email]
            ).values()
        ),
        None,
    )
    consents = [(value, label, current.get(value)) for value, label in ConsentItem.choices]
    return render(
        request,
        "core/participant_detail.html",
        {
            "participant": participant,
            "programme": participant.programme,
            "history": selectors.participant_history(participant=participant),
            "consents": consents,
            "consent_history": selectors.consent_history(participant=participant),
            "status_form": form,
            "can_move": bool(machine.allowed_targets(participant.status)),
            "status_help": machine.STATUS_HELP.get(participant.status, ""),
            "membership": getattr(participant, "membership", None),
            "no_show_possible": participant.status == Status.INTERVIEW_BOOKED,
            "registration": registration_details(participant=participant),
            "interview": interview_overview(participant=participant),
            "contact_requests": contact_requests_for_participant(user=request.user, participant=participant),
            "sent_messages": sent_messages,
            "messages_cut": messages_cut,
            "undelivered": undelivered,
        },
        status=status,
    )


@login_required
@require_POST
def participant_change_status(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get_for_coordinator(user=request.user, pk=pk)
    form = StatusChangeForm(request.POST, current=participant.status)
    if form.is_valid():
        try:
            services.participant_change_status(
                participant=participant,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The status was changed."))
            return redirect("core:participant_detail", pk=participant.pk)
    return _participant_detail(request, participant, form, status=400)


@login_required
@require_POST
def participant_no_show(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    from kollega.interviews.services import booking_mark_no_show

    participant = selectors.participant_get_for_coordinator(user=request.user, pk=pk)
    try:
        booking_mark_no_show(participant=participant, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The missed interview was recorded. The applicant was offered a new time by email.")
        )
    return redirect("core:participant_detail", pk=participant.pk)


@login_required
def participant_home(request: AuthedHttpRequest) -> HttpResponse:
    """The participant's own page: their programmes, their group and next meeting, their consents."""
    participations = selectors.participations_for_user(user=request.user)
    if not participations:
        raise Http404
    return render(request, "core/participant_home.html", {"participations": participations})


# --- organisation settings ---------------------------------------------------


@login_required
def organisation_settings(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for_coordinator(user=request.user, slug=slug)
    form = OrganisationForm(request.POST or None, instance=organisation, prefix="org")
    period_form = ClosedPeriodForm(prefix="period")
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in OrganisationForm.Meta.fields},
            )
        except ValidationError as exc:
            organisation.refresh_from_db()
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The organisation's settings were saved."))
            return redirect("core:organisation_settings", slug=organisation.slug)
    return render(
        request,
        "core/organisation_settings.html",
        {
            "organisation": organisation,
            "form": form,
            "period_form": period_form,
            "periods": organisation.closed_periods.all(),
            **_partner_context(organisation),
        },
    )


@login_required
@require_POST
def closed_period_add(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for_coordinator(user=request.user, slug=slug)
    period_form = ClosedPeriodForm(request.POST, prefix="period")
    if period_form.is_valid():
        try:
            services.closed_period_add(organisation=organisation, actor=request.user, **period_form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(period_form, exc)
        else:
            messages.success(request, _("The closed period was added."))
            return redirect("core:organisation_settings", slug=organisation.slug)
    return render(
        request,
        "core/organisation_settings.html",
        {
            "organisation": organisation,
            "form": OrganisationForm(instance=organisation, prefix="org"),
            "period_form": period_form,
            "periods": organisation.closed_periods.all(),
            **_partner_context(organisation),
        },
        status=400,
    )


def _partner_context(organisation: Organisation, partner_form: PartnerForm | None = None) -> dict[str, Any]:
    """The settings page's section on partner organisations that may ask our facilitators."""
    return {
        "partner_form": partner_form or PartnerForm(prefix="partner"),
        "partners": organisation.lends_facilitators_to.order_by("name"),
        "lenders": organisation.borrows_facilitators_from.order_by("name"),
    }


@login_required
@require_POST
def partner_add(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for_coordinator(user=request.user, slug=slug)
    partner_form = PartnerForm(request.POST, prefix="partner")
    if partner_form.is_valid():
        try:
            partner = services.organisation_lend_facilitators(
                organisation=organisation, partner_slug=partner_form.cleaned_data["partner"], actor=request.user
            )
        except ValidationError as exc:
            _apply_errors(partner_form, exc)
        else:
            messages.success(request, _("%(name)s may now ask your facilitators.") % {"name": partner.name})
            return redirect("core:organisation_settings", slug=organisation.slug)
    return render(
        request,
        "core/organisation_settings.html",
        {
            "organisation": organisation,
            "form": OrganisationForm(instance=organisation, prefix="org"),
            "period_form": ClosedPeriodForm(prefix="period"),
            "periods": organisation.closed_periods.all(),
            **_partner_context(organisation, partner_form),
        },
        status=400,
    )


@login_required
@require_POST
def partner_remove(request: AuthedHttpRequest, slug: str, partner_pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_coordinator(user=request.user, slug=slug)
    partner = get_object_or_404(organisation.lends_facilitators_to, pk=partner_pk)
    services.organisation_stop_lending(organisation=organisation, partner=partner, actor=request.user)
    messages.success(request, _("%(name)s can no longer ask your facilitators.") % {"name": partner.name})
    return redirect("core:organisation_settings", slug=organisation.slug)


@login_required
@require_POST
def closed_period_delete(request: AuthedHttpRequest, slug: str, period_pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_coordinator(user=request.user, slug=slug)
    period = get_object_or_404(ClosedPeriod, pk=period_pk, organisation=organisation)
    services.closed_period_delete(period=period, actor=request.user)
    messages.success(request, _("The closed period was removed."))
    return redirect("core:organisation_settings", slug=organisation.slug)
