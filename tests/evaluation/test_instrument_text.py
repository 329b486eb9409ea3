"""Putting in the official wording of a language: answers already given never change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kollega.evaluation import services
from kollega.evaluation.models import Instrument, RoundKind
from kollega.evaluation.wellbeing import WHO5_ITEMS
from tests.evaluation.conftest import answers

pytestmark = pytest.mark.django_db

OFFICIAL_FI = {
    "instruction": "Virallinen ohje.",
    "questions": {key: f"Virallinen kysymys {n}" for n, key in enumerate(WHO5_ITEMS, 1)},
    "answers": {str(v): f"Virallinen vastaus {v}" for v in range(6)},
}


def test_an_unanswered_form_is_edited_and_the_language_becomes_official(programme) -> None:
    form = services.wellbeing_form_ensure(programme=programme)
    who5 = Instrument.objects.get(form=form, key="who5")
    updated = services.instrument_text_replace(instrument=who5, language="fi", texts=OFFICIAL_FI)
    assert updated.form_id == form.pk
    assert sorted(updated.official_languages) == ["en", "fi"]
    question = form.questions.get(key="who5_2")
    assert question.text["fi"] == "Virallinen kysymys 2"
    assert question.text["en"] == "I have felt calm and relaxed"
    assert question.scale_labels["max"]["fi"] == "Virallinen vastaus 5"
    assert [p["label"]["fi"] for p in question.scale_labels["points"]][-1] == "Virallinen vastaus 0"


def test_an_answered_form_is_copied_and_the_open_round_asks_the_copy(programme, person) -> None:
    someone, later = person(language="fi"), person(language="fi")
    round = services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.BASELINE,
        participants=[someone, later],
        closes_at=timezone.now() + timedelta(days=14),
    )
    old_form = round.form
    earlier = services.round_answer(invitation=round.invitations.get(participant=someone), raw=answers(), language="fi")
    who5 = Instrument.objects.get(form=old_form, key="who5")
    updated = services.instrument_text_replace(instrument=who5, language="fi", texts=OFFICIAL_FI)
    round.refresh_from_db()
    assert updated.form_id != old_form.pk and round.form_id == updated.form_id
    # The answer given stays with the wording it was given to.
    assert earlier.form_id == old_form.pk
    assert old_form.questions.get(key="who5_1").text["fi"] == "Olen tuntenut itseni iloiseksi ja hyväntuuliseksi"
    assert Instrument.objects.get(form=old_form, key="who5").official_languages == ["en"]
    assert round.form.questions.get(key="who5_1").text["fi"] == "Virallinen kysymys 1"
    assert round.form.instruments.count() == 2
    later_response = services.round_answer(
        invitation=round.invitations.get(participant=later), raw=answers(), language="fi"
    )
    assert later_response.form_id == updated.form_id


def test_missing_texts_are_named_and_nothing_changes(programme) -> None:
    form = services.wellbeing_form_ensure(programme=programme)
    who5 = Instrument.objects.get(form=form, key="who5")
    texts = {**OFFICIAL_FI, "questions": {"who5_1": "Vain yksi"}, "answers": {"5": "Aina"}}
    with pytest.raises(ValidationError) as caught:
        services.instrument_text_replace(instrument=who5, language="fi", texts=texts)
    assert "who5_2" in caught.value.message_dict["questions"][0]
    assert "0, 1, 2, 3, 4" in caught.value.message_dict["answers"][0]
    assert form.questions.get(key="who5_1").text["fi"] != "Vain yksi"
    with pytest.raises(ValidationError):
        services.instrument_text_replace(instrument=who5, language="de", texts=OFFICIAL_FI)


def test_the_peer_support_scale_takes_its_two_ends(programme) -> None:
    form = services.wellbeing_form_ensure(programme=programme)
    peer = Instrument.objects.get(form=form, key="peer_support")
    texts = {
        "instruction": "Ny instruktion.",
        "questions": {key: f"Fråga {key}" for key in peer.question_keys},
        "answers": {"1": "Inte alls", "5": "Helt"},
    }
    services.instrument_text_replace(instrument=peer, language="sv", texts=texts)
    question = form.questions.get(key="wps_peers")
    assert question.scale_labels["min"]["sv"] == "Inte alls" and question.scale_labels["max"]["sv"] == "Helt"
