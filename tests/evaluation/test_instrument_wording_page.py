"""The coordinator's page for putting in an instrument's official wording of one language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kollega.core.models import Role
from kollega.evaluation import services
from kollega.evaluation.models import Instrument, RoundKind
from kollega.evaluation.wellbeing import WHO5_ITEMS
from tests.evaluation.conftest import answers
from tests.factories import make_organisation, make_staff

pytestmark = pytest.mark.django_db

OLD_FI_1 = "Olen tuntenut itseni iloiseksi ja hyväntuuliseksi"


@pytest.fixture
def coordinator(client, programme):
    user = make_staff(programme.organisation)
    client.force_login(user)
    return user


def who5_url(programme, language: str = "fi") -> str:
    return f"/programmes/{programme.pk}/questionnaires/instruments/who5/{language}/"


def official_fi(**overrides: str) -> dict[str, str]:
    data = {
        "instruction": "Virallinen ohje.",
        **{f"question_{key}": f"Virallinen kysymys {n}" for n, key in enumerate(WHO5_ITEMS, 1)},
        **{f"answer_{value}": f"Virallinen vastaus {value}" for value in range(6)},
        "official": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def open_round(programme, people):
    return services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.BASELINE,
        participants=people,
        closes_at=timezone.now() + timedelta(days=14),
    )


def test_the_questionnaires_page_lists_each_instrument_language_as_provisional_or_official(
    client, programme, coordinator
) -> None:
    services.wellbeing_form_ensure(programme=programme)
    page = client.get(f"/programmes/{programme.pk}/questionnaires/").content.decode()
    assert "Instruments" in page
    assert "WHO-5 Well-Being Index" in page and "Work and peer support" in page
    assert page.count('<span class="badge badge-warning">provisional</span>') == 2  # WHO-5 in Finnish and Swedish
    assert page.count('<span class="badge">official</span>') == 4  # WHO-5 in English, peer support in all three
    assert who5_url(programme, "fi") in page and who5_url(programme, "sv") in page
    assert who5_url(programme, "en") not in page  # English is the reference, not edited here
    assert "Put in the official Finnish wording" in page


def test_the_edit_page_shows_the_current_wording_beside_the_english_and_explains(
    client, programme, coordinator
) -> None:
    services.wellbeing_form_ensure(programme=programme)
    page = client.get(who5_url(programme)).content.decode()
    assert f'value="{OLD_FI_1}"' in page
    assert "I have felt cheerful and in good spirits" in page
    assert "All of the time" in page and 'value="Koko ajan"' in page
    assert "Answers already given keep the wording they were given with" in page
    assert "This is the official Finnish translation of the instrument." in page


def test_saving_puts_the_wording_in_and_earlier_answers_keep_theirs(client, programme, person, coordinator) -> None:
    someone, later = person(language="fi"), person(language="fi")
    round = open_round(programme, [someone, later])
    invitation = round.invitations.get(participant=someone)
    services.round_answer(invitation=invitation, raw=answers(), language="fi")

    response = client.post(who5_url(programme), official_fi(), follow=True)
    page = response.content.decode()
    assert "The Finnish wording of WHO-5 Well-Being Index is saved and marked official." in page

    round.refresh_from_db()
    who5 = Instrument.objects.get(form=round.form, key="who5")
    assert "fi" in who5.official_languages
    assert round.form.questions.get(key="who5_1").text["fi"] == "Virallinen kysymys 1"
    # The list now says official for Finnish WHO-5 and offers to edit it.
    assert "Edit the Finnish wording" in page

    # The one who has not answered sees the new wording, without the provisional note.
    client.logout()
    fresh = client.get(services.questionnaire_path(round.invitations.get(participant=later))).content.decode()
    assert "Virallinen kysymys 1" in fresh and OLD_FI_1 not in fresh
    assert "data-provisional" not in fresh
    # The earlier answer still reads with the wording it was given to.
    own = client.get(services.questionnaire_path(invitation) + "answers/").content.decode()
    assert OLD_FI_1 in own and "Virallinen kysymys 1" not in own


def test_every_round_still_open_gets_the_wording(client, programme, person, coordinator) -> None:
    first = open_round(programme, [person(language="fi")])
    second = open_round(programme, [person(language="fi")])
    assert first.form_id != second.form_id
    client.post(who5_url(programme), official_fi())
    for round in (first, second):
        round.refresh_from_db()
        assert round.form.questions.get(key="who5_2").text["fi"] == "Virallinen kysymys 2"
        assert "fi" in Instrument.objects.get(form=round.form, key="who5").official_languages


def test_before_any_round_the_page_works_and_saving_makes_the_questionnaire(client, programme, coordinator) -> None:
    page = client.get(who5_url(programme, "sv")).content.decode()
    assert 'value="Jag har känt mig glad och på gott humör"' in page
    data = {
        "instruction": "Officiell instruktion.",
        **{f"question_{key}": f"Officiell fråga {n}" for n, key in enumerate(WHO5_ITEMS, 1)},
        **{f"answer_{value}": f"Svar {value}" for value in range(6)},
        "official": "on",
    }
    assert client.post(who5_url(programme, "sv"), data).status_code == 302
    who5 = Instrument.objects.get(form__programme=programme, key="who5")
    assert "sv" in who5.official_languages


def test_an_empty_item_is_named_on_its_field_and_nothing_changes(client, programme, coordinator) -> None:
    form = services.wellbeing_form_ensure(programme=programme)
    response = client.post(who5_url(programme), official_fi(question_who5_3="  ", answer_0=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Give the wording of this question." in page
    assert "Give the label of this answer." in page
    assert form.questions.get(key="who5_1").text["fi"] == OLD_FI_1
    assert Instrument.objects.get(form=form, key="who5").official_languages == ["en"]


def test_the_official_box_must_be_ticked(client, programme, coordinator) -> None:
    form = services.wellbeing_form_ensure(programme=programme)
    response = client.post(who5_url(programme), official_fi(official=None))
    assert response.status_code == 400
    assert "Confirm that this is the official translation." in response.content.decode()
    assert form.questions.get(key="who5_1").text["fi"] == OLD_FI_1


@pytest.mark.parametrize("who", ["other_coordinator", "facilitator", "anonymous"])
def test_only_the_programmes_coordinators_get_the_page(client, programme, who) -> None:
    form = services.wellbeing_form_ensure(programme=programme)
    if who == "other_coordinator":
        client.force_login(make_staff(make_organisation()))
    elif who == "facilitator":
        client.force_login(make_staff(programme.organisation, role=Role.FACILITATOR))
    response = client.get(who5_url(programme))
    assert response.status_code == (302 if who == "anonymous" else 404)
    response = client.post(who5_url(programme), official_fi())
    assert response.status_code in ((302,) if who == "anonymous" else (404,))
    assert form.questions.get(key="who5_1").text["fi"] == OLD_FI_1


@pytest.mark.parametrize("path", ["who5/en", "who5/de", "phq9/fi"])
def test_the_reference_language_and_unknown_ones_are_not_found(client, programme, coordinator, path) -> None:
    assert client.get(f"/programmes/{programme.pk}/questionnaires/instruments/{path}/").status_code == 404
