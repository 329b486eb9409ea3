"""Staff pages, invitation links and demo sign-in links. Thin: select, call a service, render."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kollega.accounts import selectors, services
from kollega.accounts.forms import InvitationAcceptForm, StaffInviteForm
from kollega.accounts.models import InvitationState, StaffInvitation, User
from kollega.core.http import AuthedHttpRequest
from kollega.core.models import Role
from kollega.core.selectors import organisation_get_for_coordinator
from kollega.core.services import audit_log, staff_membership_remove

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _apply_errors(form: Any, exc: ValidationError) -> None:
    """A service's ValidationError on the form: per field where it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --- the staff page --------------------------------------------------------------


def _staff_page(request: HttpRequest, organisation: Any, form: StaffInviteForm, status: int = 200) -> HttpResponse:
    members = selectors.staff_list(organisation=organisation)
    coordinator_count = sum(1 for member in members if member.is_coordinator)
    return render(
        request,
        "accounts/staff.html",
        {
            "organisation": organisation,
            "members": members,
            "coordinator_count": coordinator_count,
            "invitations": selectors.invitation_list_waiting(organisation=organisation),
            "form": form,
            "valid_days": services.INVITATION_VALID_DAYS,
        },
        status=status,
    )


@login_required
def staff(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """A coordinator's view of the organisation's staff: roles, invitations, inviting."""
    organisation = organisation_get_for_coordinator(user=request.user, slug=slug)
    if request.method != "POST":
        return _staff_page(request, organisation, StaffInviteForm())
    form = StaffInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.staff_invite(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
                invited_by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s. The link works for %(days)d days.")
                % {"email": invitation.email, "days": services.INVITATION_VALID_DAYS},
            )
            return redirect("accounts:staff", slug=organisation.slug)
    return _staff_page(request, organisation, form, status=400)


@login_required
@require_POST
def staff_invitation_resend(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_coordinator(user=request.user, slug=slug, pk=pk)
    services.staff_invitation_resend(invitation=invitation, actor=request.user)
    messages.success(
        request,
        _("A new invitation link was sent to %(email)s. The earlier link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("accounts:staff", slug=slug)


@login_required
@require_POST
def staff_invitation_cancel(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_coordinator(user=request.user, slug=slug, pk=pk)
    services.staff_invitation_cancel(invitation=invitation, actor=request.user)
    messages.success(
        request, _("The invitation to %(email)s was cancelled. Its link no longer works.") % {"email": invitation.email}
    )
    return redirect("accounts:staff", slug=slug)


@login_required
def staff_remove(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Ask once, then take the role away. The last coordinator cannot be removed."""
    membership = selectors.membership_get_for_coordinator(user=request.user, slug=slug, pk=pk)
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "is_self": membership.user == request.user,
    }
    if request.method != "POST":
        return render(request, "accounts/staff_remove.html", context)
    try:
        staff_membership_remove(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:staff", slug=slug)
    messages.success(
        request,
        _("%(name)s is no longer a %(role)s in %(organisation)s.")
        % {
            "name": membership.user.display_name,
            "role": str(Role(membership.role).label).lower(),
            "organisation": membership.organisation.name,
        },
    )
    if context["is_self"] and membership.role == Role.COORDINATOR:
        # Whoever removed their own coordinator role cannot see the staff page any more.
        return redirect("home")
    return redirect("accounts:staff", slug=slug)


# --- invitation links --------------------------------------------------------------


def _invitation_problem(request: HttpRequest, invitation: StaffInvitation | None, state: str) -> HttpResponse:
    return render(
        request,
        "accounts/invitation_problem.html",
        {"invitation": invitation, "state": state, "valid_days": services.INVITATION_VALID_DAYS},
        status=404 if invitation is None else 410,
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens: join the staff, or learn why the link no longer works."""
    found = selectors.invitation_get_by_token(token=token)
    if found is None:
        return _invitation_problem(request, None, "unknown")
    if found.state != InvitationState.OPEN:
        return _invitation_problem(request, found, found.state)
    user: User | None = request.user if request.user.is_authenticated else None  # type: ignore[assignment]
    context: dict[str, Any] = {
        "invitation": found,
        "role_label": Role(found.role).label,
        "here": request.get_full_path(),
    }
    if user is None and User.objects.filter(email__iexact=found.email).exists():
        # An existing account proves who it is by signing in first, and comes back here.
        context["sign_in_url"] = reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})
        return render(request, "accounts/invitation_sign_in_first.html", context)
    if user is not None and user.email.lower() != found.email.lower():
        return render(request, "accounts/invitation_wrong_person.html", context, status=403)
    ask_password = user is None or not user.has_usable_password()
    initial = {"full_name": (user.full_name if user else "") or found.full_name}
    form = InvitationAcceptForm(request.POST or None, ask_password=ask_password, initial=initial)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data.get("password1", "")
        try:
            membership = services.staff_invitation_accept(
                invitation=found, user=user, full_name=form.cleaned_data["full_name"], password=password
            )
        except services.InvitationClosedError as exc:
            return _invitation_problem(request, found, exc.code or InvitationState.EXPIRED)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            member = membership.user
            if user is None or password:
                # They have just written their password: count it as a fresh
                # sign-in, so setting up the authenticator app asks for no other.
                if user is None:
                    login(request, member, backend=_MODEL_BACKEND)
                record_authentication(request, member, method="password", email=member.email, reauthenticated=True)
            messages.success(
                request,
                _("Welcome to %(organisation)s! You are now a %(role)s.")
                % {"organisation": found.organisation.name, "role": str(Role(found.role).label).lower()},
            )
            if Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists():
                return redirect("home")
            # Next, the authenticator app: required in production, offered otherwise.
            return redirect("mfa_activate_totp")
    context.update({"form": form, "ask_password": ask_password})
    return render(request, "accounts/invitation_accept.html", context, status=400 if request.method == "POST" else 200)


# --- one-click demo sign-in ------------------------------------------------------------


def demo_sign_in(request: HttpRequest, value: str) -> HttpResponse:
    """Sign in by a link ``kollega demo`` printed. Never in production."""
    if settings.KOLLEGA_ENV == "production":
        raise Http404
    user = selectors.sign_in_link_user(value=value)
    if user is None:
        raise Http404
    login(request, user, backend=_MODEL_BACKEND)
    audit_log(action="accounts.demo_sign_in.used", subject=user, actor=user)
    messages.success(request, _("You are signed in as %(name)s.") % {"name": user.display_name})
    return redirect("home")
