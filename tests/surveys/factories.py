"""Forms made through the services, as a coordinator makes them."""

from __future__ import annotations

from typing import Any

from kollega.core.models import Programme
from kollega.surveys import services
from kollega.surveys.models import Form, Purpose, Question
from tests.factories import make_programme


def opts(*keys: str) -> list[dict[str, Any]]:
    return [{"key": k, "label": {"fi": f"{k} fi", "sv": f"{k} sv", "en": f"{k} en"}} for k in keys]


def make_form(programme: Programme | None = None, purpose: str = Purpose.REGISTRATION) -> Form:
    programme = programme or make_programme()
    return services.form_create(
        organisation=programme.organisation,
        programme=programme,
        purpose=purpose,
        title={"fi": "Ilmoittautuminen", "sv": "Anmälan", "en": "Registration"},
    )


def ask(form: Form, key: str, type: str, **fields: Any) -> Question:
    fields.setdefault("text", {"fi": f"{key}?", "sv": f"{key} (sv)?", "en": f"{key} (en)?"})
    return services.question_add(form=form, key=key, type=type, **fields)
