"""The coordinator's outbox: what was sent, what waits, what failed, and sending again."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kollega.accounts.models import User
from kollega.notifications import selectors, services
from kollega.notifications.forms import OutboxFilterForm, ResendForm
from kollega.notifications.models import Notification
from kollega.notifications.rendering import render_notification

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    box = selectors.outbox_for_user(user=request.user, filters=form.filters())
    page = Paginator(box.notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    failing = selectors.failing_addresses_for_user(user=request.user)
    about = selectors.subject_label(outbox=box, about=box.filters.about) if box.filters.about else ""
    return render(
        request,
        "notifications/outbox/list.html",
        {"form": form, "outbox": box, "page": page, "failing_addresses": failing, "about": about},
    )


def _detail(
    request: HttpRequest, row: Notification, form: ResendForm, errors: list[str], status: int = 200
) -> HttpResponse:
    rendered = None
    render_error = ""
    if not row.sensitive:
        try:
            rendered = render_notification(row)
        except Exception as exc:  # show why instead of failing the page
            logger.warning("Outbox could not render notification %s: %s", row.pk, exc)
            render_error = f"{type(exc).__name__}: {exc}"
    context: dict[str, Any] = {
        "notification": row,
        "rendered": rendered,
        "render_error": render_error,
        "history": selectors.notification_history(notification=row),
        "form": form,
        "errors": errors,
        "can_resend": not row.sensitive and row.status in services.RESENDABLE,
        "needs_confirmation": row.status in services.RESEND_NEEDS_CONFIRMATION,
        "failing": (
            selectors.failing_address_for_organisation(organisation_id=row.organisation_id, address=row.recipient)
            if row.organisation_id
            else None
        ),
    }
    return render(request, "notifications/outbox/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.notification_get_for_user(user=request.user, pk=pk)
    return _detail(request, row, ResendForm(), [])


@login_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.notification_get_for_user(user=request.user, pk=pk)
    assert isinstance(request.user, User)  # signed in, checked above
    form = ResendForm(request.POST)
    form.is_valid()
    try:
        services.notification_resend(
            notification=row, actor=request.user, confirmed=bool(form.cleaned_data.get("confirm"))
        )
    except ValidationError as exc:
        errors: list[str] = []
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                for message in messages:
                    if field in form.fields:
                        form.add_error(field, message)
                    errors.append(message)
        else:
            errors = list(exc.messages)
        return _detail(request, row, form, errors, status=400)
    return redirect("notifications:detail", pk=row.pk)


@login_required
@require_POST
def failing_address_clear(request: HttpRequest) -> HttpResponse:
    """Clear the mark on an address that refused mail; back to the page the button was on."""
    address = request.POST.get("address", "")
    if not selectors.failing_address_organisations(user=request.user, address=address):
        raise Http404
    assert isinstance(request.user, User)  # signed in, checked above
    try:
        released = services.failing_address_clear(address=address, actor=request.user)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        values = {"address": address.strip().lower(), "count": released}
        if released:
            text = ngettext(
                "%(address)s is no longer marked as refusing mail. Its %(count)d held message goes out now.",
                "%(address)s is no longer marked as refusing mail. Its %(count)d held messages go out now.",
                released,
            )
        else:
            text = _("%(address)s is no longer marked as refusing mail. No messages were held back for it.")
        messages.success(request, text % values)
    back = request.POST.get("next", "")
    if not back or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("notifications:outbox")
    return redirect(back)
