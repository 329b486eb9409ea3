"""The coordinator's applicant exports and the needs dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kollega.core import selectors
from kollega.core.forms import ParticipantFilterForm
from kollega.core.http import AuthedHttpRequest
from kollega.recruitment import charts, exports
from kollega.recruitment.needs import Count, NeedsSummary, needs_summary

#: How often an open dashboard asks for fresh numbers (seconds).
REFRESH_SECONDS = 60


def _export(request: AuthedHttpRequest, pk: int, file_format: str) -> HttpResponse:
    programme = selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    themes = [theme for theme in programme.themes.all() if theme.is_rankable]
    form = ParticipantFilterForm(
        request.GET or None,
        time_slots=list(programme.time_slots.all()),
        channels=list(programme.channels.all()),
        themes=themes,
    )
    filters = form.to_filters()
    export = exports.applicants_export(
        programme=programme,
        participants=selectors.participant_list(programme=programme, filters=filters),
        file_format=file_format,
        actor=request.user,
        filters={key: values for key, values in request.GET.lists() if key in form.fields} if form.is_valid() else {},
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    # Personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def participant_export_csv(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "csv")


@login_required
@require_GET
def participant_export_xlsx(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "xlsx")


@login_required
@require_GET
def needs(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The needs dashboard: computed from the registrations on every request."""
    programme = selectors.programme_get_for_coordinator(user=request.user, pk=pk)
    summary = needs_summary(programme=programme)
    context = {
        "programme": programme,
        "summary": summary,
        "charts": _charts(summary) if not summary.is_empty else {},
        # Each time slot with the number of people for whom it is the only one that suits.
        "slot_rows": list(zip(summary.time_slots, summary.time_slots_only, strict=True)),
        "updated_at": timezone.localtime(timezone.now(), programme.organisation.tz),
        "refresh_seconds": REFRESH_SECONDS,
    }
    htmx = bool(getattr(request, "htmx", False))  # django-htmx sets it on every request
    template = "recruitment/includes/needs_body.html" if htmx else "recruitment/needs.html"
    response = render(request, template, context)
    # The same address answers with the whole page or, for htmx, only its numbers.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _charts(summary: NeedsSummary) -> dict[str, str]:
    def bars(counts: list[Count]) -> list[tuple[str, int]]:
        return [(c.label, c.count) for c in counts]

    return {
        "themes": charts.bar_chart_svg(
            chart_id="chart-themes",
            title=_("Theme demand in Borda points"),
            bars=[(t.label, t.borda) for t in summary.themes],
        ),
        "time_slots": charts.bar_chart_svg(
            chart_id="chart-slots", title=_("Time slots that suit"), bars=bars(summary.time_slots)
        ),
        "industries": charts.bar_chart_svg(
            chart_id="chart-industries", title=_("Industries"), bars=bars(summary.industries)
        ),
        "years": charts.bar_chart_svg(
            chart_id="chart-years", title=_("Years in business"), bars=bars(summary.years_in_business)
        ),
        "regions": charts.bar_chart_svg(chart_id="chart-regions", title=_("Regions"), bars=bars(summary.regions)),
        "channels": charts.bar_chart_svg(
            chart_id="chart-channels", title=_("Where registrations came from"), bars=bars(summary.channels)
        ),
    }
