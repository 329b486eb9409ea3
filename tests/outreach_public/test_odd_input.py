"""Odd characters in the address or a form never give a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kollega.core.models import Status
from kollega.recruitment.services import registration_submit
from kollega.recruitment.tokens import manage_token
from tests.outreach_public.conftest import register_url
from tests.recruitment.factories import answers


@pytest.mark.parametrize("step", ["²", "٣", "1" * 50, "-1", "0"])
def test_a_step_number_that_is_not_plain_digits_starts_the_form_from_the_beginning(programme, step) -> None:
    client = Client()
    shown = client.get(register_url(programme), {"step": step})
    assert shown.status_code == 200
    sent = client.post(register_url(programme), {"step": step, "action": "next"})
    assert sent.status_code in {200, 302}


def test_control_characters_in_a_cancel_reason_are_left_out(programme) -> None:
    participant = registration_submit(programme=programme, raw=answers(programme), language="en").participant
    response = Client().post(reverse("public:cancel", args=[manage_token(participant)]), {"reason": "Bye\x00\x07 now"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status == Status.CANCELLED
    assert participant.status_changes.last().reason == "Bye now"
