"""Random input at registration: a clear refusal or a whole registration, never a server error or half of one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import event, given
from hypothesis import strategies as st

from kollega.accounts.models import User
from kollega.core.models import Consent, Participant, Programme, Status
from kollega.notifications.models import Notification
from kollega.recruitment.models import PendingChange, Registration
from kollega.recruitment.services import registration_submit
from kollega.surveys.models import Answer, Response
from tests.recruitment.factories import answers

pytestmark = pytest.mark.django_db

KEYS = [
    "name",
    "email",
    "phone",
    "company_name",
    "industry",
    "years_in_business",
    "region",
    "company_size",
    "gender",
    "time_slots",
    "themes",
    "other_topics",
    "expectations",
    "heard_from",
    "privacy",
    "share_name",
    "share_company",
    "share_email",
]

# Text as a browser or a script may send it: control characters, lone surrogates, markup, long runs.
nasty_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30),
    st.sampled_from(["<script>alert(1)</script>", "\x00", "\ud800", "'; DROP TABLE x; --", "a" * 300, " "]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text,
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def raw_input(draw: st.DrawFn, programme: Programme) -> Any:
    """Anything at all, a form keyed by the real questions, or a valid registration with some answers spoiled."""
    kind = draw(st.sampled_from(["anything", "keyed", "spoiled", "spoiled"]))
    if kind == "anything":
        return draw(values)
    if kind == "keyed":
        return draw(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), values, max_size=20))
    # A few addresses again and again (repeats, in any case), and fresh ones.
    email = draw(
        st.sampled_from(["a@example.org", "A@Example.org", "b@example.org"])
        | st.integers(0, 10**6).map(lambda n: f"r{n}@example.org")
    )
    data = answers(programme, email=email)
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=2, unique=True)):
        data[key] = draw(values)
    return data


def snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "participants": Participant.objects.count(),
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "consents": Consent.objects.count(),
        "registrations": Registration.objects.count(),
        "pending": PendingChange.objects.count(),
        "notifications": Notification.objects.count(),
    }


@given(data=st.data())
def test_random_input_is_refused_clearly_or_registered_whole(small_programme: Programme, data: st.DataObject) -> None:
    raw = data.draw(raw_input(small_programme))
    language = data.draw(st.sampled_from(["fi", "sv", "en", "", "xx", "\ud800"]))
    channel_key = data.draw(st.one_of(st.just(""), nasty_text))
    before = snapshot()
    refusal: ValidationError | None = None
    try:
        result = registration_submit(programme=small_programme, raw=raw, language=language, channel_key=channel_key)
    except ValidationError as error:
        refusal = error
    if refusal is not None:
        event("refused")
        assert refusal.messages and all(isinstance(m, str) and m.strip() for m in refusal.messages)
        assert snapshot() == before, "a refused registration left something behind"
        return
    event(result.outcome)
    after = snapshot()
    if result.outcome == "confirm_email":
        # A new change with its email, or (within the hour) the waiting change now holds these answers.
        assert after["participants"] == before["participants"]
        assert after["pending"] - before["pending"] in {0, 1}
        assert after["notifications"] - before["notifications"] in {0, 1}
        waiting = PendingChange.objects.filter(participant=result.participant, confirmed_at__isnull=True)
        latest = waiting.order_by("-created_at", "-id").first()
        assert latest is not None and str(latest.raw["email"]).lower() == str(raw["email"]).strip().lower()
        return
    person = Participant.objects.get(pk=result.participant.pk)
    assert person.status in {Status.REGISTERED, Status.WAITING_LIST}
    assert after["participants"] == before["participants"] + 1
    assert after["responses"] == before["responses"] + 1
    assert Registration.objects.filter(participant=person).exists()
    assert Consent.objects.filter(participant=person, item="privacy_notice", given=True).exists()
