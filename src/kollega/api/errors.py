"""Every error the API returns has one shape: ``{"detail", "code", "errors"}``.

Messages are in the language of the request (Accept-Language: fi, sv or en).
Where Django already has a translated message for the same problem ("This
field is required.") it is reused, so it is translated in every language
Django knows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationErrorContext
from ninja.errors import ValidationError as NinjaValidationError

from kollega.api.auth import INVALID, PROBLEM_ATTRIBUTE
from kollega.core.services import TransitionError

_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def error_body(detail: str, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "errors": errors or {}}


def as_refusal(
    error: DjangoValidationError,
    *,
    codes: Collection[str] | None = None,
    default_code: str | None = None,
    wording: Mapping[str, str] | None = None,
) -> DjangoValidationError:
    """A service's refusal of a change as a ``TransitionError``, which answers 409 with the refusal's code.

    A refusal is an error about no one field whose code is one of ``codes`` (any code when ``codes`` is
    None); ``default_code`` stands for a missing code. Field errors, errors with other codes and refusals
    already made are returned as they are (a value problem answers 422). ``wording`` gives the API's own
    message for a code where the service's words were written for someone else.
    """
    if isinstance(error, TransitionError) or hasattr(error, "error_dict"):
        return error
    code = getattr(error, "code", None) or default_code
    if codes is not None and code not in codes:
        return error
    message = (wording or {}).get(code or "") or " ".join(error.messages)
    return TransitionError(message, code=code)


@contextmanager
def refusals(
    *,
    codes: Collection[str] | None = None,
    default_code: str | None = None,
    wording: Mapping[str, str] | None = None,
) -> Iterator[None]:
    """Within the block, a service's refusal of a change answers 409 (see ``as_refusal``); other errors pass."""
    try:
        yield
    except DjangoValidationError as error:
        refusal = as_refusal(error, codes=codes, default_code=default_code, wording=wording)
        if refusal is error:
            raise
        raise refusal from error


def _summary(errors: dict[str, list[str]]) -> str:
    messages = [m for msgs in errors.values() for m in msgs]
    if len(messages) == 1:
        return messages[0]
    return _("The request has errors; see the message for each field.")


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: list(exc.messages)}


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_parsing", "float_type"}:
        return _("Enter a number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind == "string_type":
        return _("Enter a text.")
    if kind in {"enum", "literal_error"}:
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind in {"datetime_parsing", "datetime_type", "datetime_from_date_parsing"}:
        return _("Enter a valid date/time.")
    if kind == "timezone_aware":
        return _("Give the time with its offset from UTC, for example 2026-03-02T09:00:00+02:00.")
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": ctx.get("le")}
    if kind == "string_too_long":
        return _("Use at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind == "extra_forbidden":
        return _("This field is not known here; check its name.")
    if kind == "list_type":
        return _("Enter a list.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Enter an object.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    return str(error.get("msg", _("Enter a valid value.")))


def _field_name(loc: Iterable[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        where = parts.pop(0)
        # A body is one parameter of the endpoint; its name says nothing to the caller.
        if where in {"body", "form"} and parts:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or NON_FIELD_ERRORS


def _pydantic_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        messages = result.setdefault(_field_name(error.get("loc", ())), [])
        message = _pydantic_message(error)
        if message not in messages:
            messages.append(message)
    return result


class KollegaAPI(NinjaAPI):
    """django-ninja's API, naming request errors by what the caller sent.

    ninja names a query error by the endpoint's parameter (``filters.status``);
    the caller sent ``status``, so that is the name used here.
    """

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> NinjaValidationError:
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            flat_names = {tuple(path): name for name, path in getattr(model, "__ninja_flatten_map__", {}).items()}
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = tuple(error["loc"])
                for size in range(len(loc), 0, -1):
                    if loc[:size] in flat_names:
                        loc = (flat_names[loc[:size]], *loc[size:])
                        break
                errors.append(
                    {
                        "type": error["type"],
                        "loc": (model.__ninja_param_source__, *loc),
                        "msg": error["msg"],
                        "ctx": {key: str(value) for key, value in (error.get("ctx") or {}).items()},
                    }
                )
        return NinjaValidationError(errors)


def install(api: NinjaAPI) -> None:
    """Register Kollega's error answers on ``api``."""

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if getattr(request, PROBLEM_ATTRIBUTE, None) == INVALID:
            body = error_body(_("The API token is not valid: it is unknown or revoked."), "invalid_token")
            challenge = 'Bearer realm="kollega", error="invalid_token"'
        else:
            body = error_body(
                _("Send your personal API token in the Authorization header: Bearer followed by the token."),
                "not_authenticated",
            )
            challenge = 'Bearer realm="kollega"'
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = challenge
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja's own refusals; the one callers meet is a body that is not JSON.
        if exc.status_code == 400:
            body = error_body(_("The request body is not valid JSON."), "bad_request")
        elif exc.status_code == 429:
            body = error_body(_("Too many requests. Wait a moment and try again."), "throttled")
        else:
            body = error_body(str(exc), "error")
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body(_("Not found."), "not_found"), status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("You do not have permission to do this.")
        return api.create_response(request, error_body(detail, "forbidden"), status=403)

    @api.exception_handler(TransitionError)
    def refused(request: HttpRequest, exc: TransitionError) -> HttpResponse:
        errors = _django_errors(exc)
        code = getattr(exc, "code", None) or "transition_refused"
        return api.create_response(request, error_body(" ".join(exc.messages), code, errors), status=409)

    @api.exception_handler(DjangoValidationError)
    def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = _django_errors(exc)
        return api.create_response(request, error_body(_summary(errors), "invalid", errors), status=422)

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = _pydantic_errors(exc.errors)
        return api.create_response(request, error_body(_summary(errors), "invalid", errors), status=422)
