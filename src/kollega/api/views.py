"""The staff page for personal API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kollega.accounts.tokens import api_token_create, api_token_revoke
from kollega.api import selectors
from kollega.api.forms import ApiTokenCreateForm
from kollega.core.http import AuthedHttpRequest
from kollega.core.selectors import user_is_staff


def _require_staff(request: AuthedHttpRequest) -> None:
    # Only staff may hold tokens; to anyone else the pages do not exist.
    if not user_is_staff(user=request.user):
        raise Http404


@login_required
@require_http_methods(["GET"])
def token_list(request: AuthedHttpRequest) -> HttpResponse:
    _require_staff(request)
    tokens = list(selectors.api_token_list_for_user(user=request.user))
    return render(request, "api/token_list.html", {"tokens": tokens})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_create(request: AuthedHttpRequest) -> HttpResponse:
    _require_staff(request)
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            # Field errors land next to their field, others in the summary.
            form.add_error(None, exc)
        else:
            # The raw token exists only in this response; it is not stored anywhere.
            api_url = request.build_absolute_uri("/api/v1/")
            return render(request, "api/token_created.html", {"token": token, "raw": raw, "api_url": api_url})
    return render(request, "api/token_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    token = selectors.api_token_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        api_token_revoke(token=token, actor=request.user)
        messages.success(
            request,
            _("The token “%(name)s” has been revoked. Scripts that use it can no longer reach Kollega.")
            % {"name": token.name},
        )
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
