"""Registering: what a registrant and a coordinator see after the form is sent."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import AuditEntry, Consent, Participant, Programme, Status
from kollega.notifications.models import Notification
from kollega.notifications.rendering import render_notification
from kollega.recruitment import selectors, services
from kollega.recruitment.models import PendingChange, Registration, Source
from kollega.recruitment.services import registration_change_confirm, registration_submit
from kollega.recruitment.tokens import manage_token, participant_from_token
from kollega.surveys.models import Response
from kollega.surveys.selectors import response_current, response_values
from tests.factories import make_participant, make_programme
from tests.recruitment.factories import answers, make_channel, outbox

pytestmark = pytest.mark.django_db


def stored_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "participants": Participant.objects.count(),
        "responses": Response.objects.count(),
        "consents": Consent.objects.count(),
        "registrations": Registration.objects.count(),
        "pending": PendingChange.objects.count(),
        "notifications": Notification.objects.count(),
    }


# --- the default form ------------------------------------------------------------


def test_a_new_programme_has_the_default_registration_form(programme: Programme) -> None:
    form = selectors.registration_form(programme=programme)
    assert form is not None and form.active and form.purpose == "registration"
    keys = list(form.questions.order_by("position").values_list("key", flat=True))
    assert keys == [
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
        "wellbeing",
    ]
    questions = {q.key: q for q in form.questions.all()}
    assert all(set(q.text) == {"fi", "sv", "en"} and all(q.text.values()) for q in questions.values())
    assert questions["name"].required and questions["email"].required and not questions["phone"].required
    assert questions["themes"].allow_partial and questions["themes"].options_source == "themes"
    assert questions["privacy"].required and questions["privacy"].consent_item == "privacy_notice"
    assert not questions["share_email"].required
    assert [o["key"] for o in questions["company_size"].options] == ["solo", "2-9"]


def test_ensuring_the_form_twice_keeps_one_form(programme: Programme) -> None:
    first = selectors.registration_form(programme=programme)
    again = services.registration_form_ensure(programme=programme)
    assert again == first
    assert programme.forms.filter(purpose="registration").count() == 1


# --- a new registration -------------------------------------------------------------


def test_registering_makes_a_registered_participant_with_profile_answers_and_consents(programme: Programme) -> None:
    data = answers(
        programme,
        name="Maija Meikäläinen",
        email="Maija.Meikalainen@Example.org",
        industry="M",
        years_in_business=7,
        region="Turku",
        company_size="2-9",
        gender="woman",
        time_slots=["afternoon"],
        themes=["networks", "goals"],
        share_name=True,
        share_company=False,
        share_email=True,
    )
    result = registration_submit(programme=programme, raw=data, language="fi", channel_key="")

    assert result.outcome == "registered" and result.waiting_position is None
    person = Participant.objects.select_related("user").get(pk=result.participant.pk)
    assert person.status == Status.REGISTERED
    assert person.user.email == "maija.meikalainen@example.org"
    assert person.user.full_name == "Maija Meikäläinen"
    assert person.language == "fi"
    assert (person.phone, person.company_name, person.industry, person.region) == (
        "+358 40 123 4567",
        data["company_name"],
        "M",
        "Turku",
    )
    assert person.years_in_business == 7 and person.company_size == "2-9" and person.gender == "woman"
    assert [slot.key for slot in person.time_slots.all()] == ["afternoon"]
    assert person.theme_ranking == ["networks", "goals"]
    assert list(person.status_changes.values_list("to_status", flat=True)) == ["registered"]

    form = selectors.registration_form(programme=programme)
    assert form is not None
    response = response_current(form=form, participant=person)
    assert response is not None
    stored = response_values(response=response)
    assert stored["expectations"] == data["expectations"] and stored["themes"] == ["networks", "goals"]

    consents = {c.item: c for c in Consent.objects.filter(participant=person)}
    assert {item: c.given for item, c in consents.items()} == {
        "privacy_notice": True,
        "share_name": True,
        "share_company": False,
        "share_email": True,
        "wellbeing_questionnaire": False,
    }
    assert all(c.source == "registration" and c.text.version == 1 for c in consents.values())

    registration = Registration.objects.get(participant=person)
    assert registration.source == Source.FORM and registration.channel is None
    assert AuditEntry.objects.filter(
        action="recruitment.registration.created", subject=f"core.participant:{person.pk}"
    ).exists()


def test_the_confirmation_email_is_in_the_registrants_language_with_a_personal_link(
    programme: Programme, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = registration_submit(
            programme=programme, raw=answers(programme, email="sven@example.org"), language="sv"
        )

    [row] = outbox("recruitment.registered")
    assert row.recipient == "sven@example.org" and row.language == "sv"
    link = row.context["manage_url"]
    assert link.endswith(f"/r/{manage_token(result.participant)}/") and link.startswith("http")
    assert participant_from_token(link.rstrip("/").rsplit("/", 1)[1]) == result.participant
    [message] = mail.outbox
    assert message.to == ["sven@example.org"]
    assert link in message.body


def test_the_email_tells_what_happens_next_and_the_commitment(programme: Programme) -> None:
    registration_submit(programme=programme, raw=answers(programme), language="en")
    [row] = outbox("recruitment.registered")
    text = render_notification(row).text
    assert "invitation to book a short online intake interview" in text
    assert "all 5 online meetings of your group, each 120 minutes long" in text
    assert row.context["manage_url"] in text


def test_the_programme_pages_commitment_is_used_when_written(programme: Programme) -> None:
    from kollega.outreach.models import ProgrammePage

    ProgrammePage.objects.create(programme=programme, commitment={"en": "Five meetings, every one of them."})
    registration_submit(programme=programme, raw=answers(programme), language="en")
    assert "Five meetings, every one of them." in render_notification(outbox("recruitment.registered")[0]).text


def test_notify_false_sends_nothing_and_at_dates_the_registration(programme: Programme) -> None:
    earlier = timezone.now() - timedelta(days=30)
    result = registration_submit(
        programme=programme, raw=answers(programme), language="fi", notify=False, source=Source.IMPORT, at=earlier
    )
    assert outbox() == []
    person = result.participant
    person.refresh_from_db()
    assert person.registered_at == earlier
    assert Registration.objects.get(participant=person).source == Source.IMPORT
    assert Registration.objects.get(participant=person).created_at == earlier
    assert all(c.at == earlier for c in Consent.objects.filter(participant=person))


def test_a_web_forms_querydict_is_accepted(programme: Programme) -> None:
    data = QueryDict(mutable=True)
    for key, value in answers(programme, share_name=None, share_company=None, share_email=None).items():
        if isinstance(value, list):
            data.setlist(key, value)
        elif isinstance(value, bool):
            data[key] = "on" if value else ""
        else:
            data[key] = str(value)
    result = registration_submit(programme=programme, raw=data, language="fi")
    assert result.outcome == "registered"
    consents = dict(Consent.objects.filter(participant=result.participant).values_list("item", "given"))
    assert consents == {
        "privacy_notice": True,
        "share_name": False,
        "share_company": False,
        "share_email": False,
        "wellbeing_questionnaire": False,
    }


def test_an_unknown_language_falls_back_to_the_programmes_first(programme: Programme) -> None:
    result = registration_submit(programme=programme, raw=answers(programme), language="de")
    assert result.participant.language == "fi"


# --- refusals -----------------------------------------------------------------------


def test_without_the_privacy_consent_nothing_is_stored(programme: Programme) -> None:
    before = stored_counts()
    with pytest.raises(ValidationError) as caught:
        registration_submit(programme=programme, raw=answers(programme, privacy=False), language="en")
    assert caught.value.message_dict == {"privacy": ["You need to give this consent to continue."]}
    assert stored_counts() == before


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": None}, "email"),
        ({"name": ""}, "name"),
        ({"industry": "Z"}, "industry"),
        ({"years_in_business": 81}, "years_in_business"),
        ({"years_in_business": "many"}, "years_in_business"),
        ({"company_size": "10-49"}, "company_size"),
        ({"time_slots": []}, "time_slots"),
        ({"time_slots": ["midnight"]}, "time_slots"),
        ({"themes": []}, "themes"),
        ({"themes": ["goals", "goals"]}, "themes"),
        ({"themes": ["getting-to-know"]}, "themes"),  # fixed first: not ranked
        ({"region": "x" * 101}, "region"),
        ({"phone": "+358" + " " * 60 + "40 123 4567"}, "phone"),
        ({"expectations": "x" * 5001}, "expectations"),
        ({"company_name": "<b>\x00</b>"}, "company_name"),
    ],
)
def test_invalid_answers_store_nothing_and_say_what_is_wrong(programme: Programme, changes, key) -> None:  # type: ignore[no-untyped-def]
    before = stored_counts()
    with pytest.raises(ValidationError) as caught:
        registration_submit(programme=programme, raw=answers(programme, **changes), language="en")
    assert key in caught.value.message_dict
    assert all(message.strip() for message in caught.value.message_dict[key])
    assert stored_counts() == before


def test_messages_are_in_the_registrants_language(programme: Programme) -> None:
    from django.utils import translation

    with pytest.raises(ValidationError) as caught:
        registration_submit(programme=programme, raw=answers(programme, privacy=False), language="fi")
    with translation.override("fi"):
        expected = translation.gettext("You need to give this consent to continue.")
    assert caught.value.message_dict["privacy"] == [expected]


def test_html_in_text_answers_is_stored_as_typed(programme: Programme) -> None:
    result = registration_submit(
        programme=programme, raw=answers(programme, company_name="<script>alert(1)</script> Oy"), language="en"
    )
    assert result.participant.company_name == "<script>alert(1)</script> Oy"


def test_when_the_window_is_closed_nothing_is_accepted(programme: Programme) -> None:
    programme.registration_closes_at = timezone.now() - timedelta(minutes=1)
    programme.save(update_fields=["registration_closes_at"])
    before = stored_counts()
    with pytest.raises(ValidationError) as caught:
        registration_submit(programme=programme, raw=answers(programme), language="en")
    assert caught.value.code == "closed"
    assert caught.value.messages == ["Registration for this programme has closed."]
    assert stored_counts() == before


def test_before_the_window_opens_the_message_says_when(programme: Programme) -> None:
    programme.registration_opens_at = timezone.now() + timedelta(days=3)
    programme.save(update_fields=["registration_opens_at"])
    with pytest.raises(ValidationError) as caught:
        registration_submit(programme=programme, raw=answers(programme), language="en")
    assert caught.value.code == "closed"
    assert caught.value.messages[0].startswith("Registration for this programme opens on ")
    assert Participant.objects.count() == 0


def test_an_import_may_register_outside_the_window(programme: Programme) -> None:
    programme.registration_closes_at = timezone.now() - timedelta(days=1)
    programme.save(update_fields=["registration_closes_at"])
    result = registration_submit(
        programme=programme, raw=answers(programme), language="fi", check_window=False, source=Source.IMPORT
    )
    assert result.outcome == "registered"


def test_a_programme_without_a_registration_form_refuses(programme: Programme) -> None:
    programme.forms.update(active=False)
    with pytest.raises(ValidationError) as caught:
        registration_submit(programme=programme, raw=answers(programme), language="en")
    assert caught.value.code == "no_form"
    assert Participant.objects.count() == 0


# --- channels -----------------------------------------------------------------------


def test_the_share_links_channel_is_remembered_over_the_answer(programme: Programme) -> None:
    link = make_channel(programme, "yrittajat")
    answered = make_channel(programme, "uutiskirje")
    result = registration_submit(
        programme=programme, raw=answers(programme, heard_from="uutiskirje"), language="fi", channel_key="yrittajat"
    )
    registration = Registration.objects.get(participant=result.participant)
    assert registration.channel == link and registration.heard_from == "uutiskirje"
    assert answered.registrations.count() == 0


def test_without_a_link_the_answer_names_the_channel(programme: Programme) -> None:
    answered = make_channel(programme, "uutiskirje")
    result = registration_submit(programme=programme, raw=answers(programme, heard_from="uutiskirje"), language="fi")
    assert Registration.objects.get(participant=result.participant).channel == answered


def test_an_unknown_or_retired_link_falls_back_to_the_answer(programme: Programme) -> None:
    make_channel(programme, "vanha", active=False)
    answered = make_channel(programme, "some")
    one = registration_submit(
        programme=programme, raw=answers(programme, heard_from="some"), language="fi", channel_key="vanha"
    )
    two = registration_submit(
        programme=programme, raw=answers(programme, heard_from="other"), language="fi", channel_key="x" * 500
    )
    assert Registration.objects.get(participant=one.participant).channel == answered
    registration = Registration.objects.get(participant=two.participant)
    assert registration.channel is None and registration.heard_from == "other"


def test_channel_for_link_finds_only_this_programmes_active_channels(programme: Programme) -> None:
    channel = make_channel(programme, "lehdisto")
    other = make_programme(programme.organisation)
    assert services.channel_for_link(programme=programme, key="lehdisto") == channel
    assert services.channel_for_link(programme=programme, key=" lehdisto ") == channel
    assert services.channel_for_link(programme=other, key="lehdisto") is None
    assert services.channel_for_link(programme=programme, key="") is None


# --- a repeated address ---------------------------------------------------------------


def test_a_repeated_address_changes_nothing_until_confirmed(programme: Programme) -> None:
    first = registration_submit(
        programme=programme, raw=answers(programme, email="anna@example.org", region="Oulu"), language="fi"
    )
    before = stored_counts()

    again = registration_submit(
        programme=programme,
        raw=answers(programme, email="ANNA@example.org", region="Vaasa", share_email=False, name="Anna Uusi"),
        language="sv",
    )

    assert again.outcome == "confirm_email" and again.participant == first.participant
    person = Participant.objects.get(pk=first.participant.pk)
    assert person.region == "Oulu" and person.language == "fi"
    after = stored_counts()
    assert after["pending"] == before["pending"] + 1
    assert after["notifications"] == before["notifications"] + 1
    assert {k: v for k, v in after.items() if k not in {"pending", "notifications"}} == {
        k: v for k, v in before.items() if k not in {"pending", "notifications"}
    }
    [row] = outbox("recruitment.confirm_change")
    assert row.recipient == "anna@example.org" and row.language == "sv" and row.sensitive
    url = row.context["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert "/r/confirm/" in url
    change = PendingChange.objects.get()
    assert token not in change.token_hash and len(change.token_hash) == 64
    assert change.expires_at - change.created_at == timedelta(days=7)

    registration_change_confirm(token=token)

    person.refresh_from_db()
    assert person.region == "Vaasa" and person.language == "sv"
    assert person.display_name == "Anna Uusi"
    assert person.user.full_name == first.participant.user.full_name  # the shared account keeps its name
    assert Response.objects.filter(participant=person).count() == 2  # the old answer is kept, replaced
    form = selectors.registration_form(programme=programme)
    assert form is not None
    current = response_current(form=form, participant=person)
    assert current is not None and response_values(response=current)["region"] == "Vaasa"
    latest = Consent.objects.filter(participant=person, item="share_email").order_by("at", "id").last()
    assert latest is not None and latest.given is False
    assert person.status == Status.REGISTERED
    change.refresh_from_db()
    assert change.confirmed_at is not None


def test_a_repeated_address_with_invalid_answers_stores_nothing(programme: Programme) -> None:
    registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="fi")
    before = stored_counts()
    with pytest.raises(ValidationError):
        registration_submit(
            programme=programme, raw=answers(programme, email="anna@example.org", privacy=False), language="fi"
        )
    assert stored_counts() == before


def test_a_confirmation_link_works_once(programme: Programme) -> None:
    registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    token = outbox("recruitment.confirm_change")[0].context["url"].rstrip("/").rsplit("/", 1)[1]
    registration_change_confirm(token=token)
    with pytest.raises(ValidationError) as caught:
        registration_change_confirm(token=token)
    assert caught.value.messages == ["These changes have already been confirmed."]


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 5000])
def test_an_unknown_confirmation_link_is_refused_clearly(programme: Programme, token: str) -> None:
    with pytest.raises(ValidationError) as caught:
        registration_change_confirm(token=token)
    assert caught.value.messages == [
        "This confirmation link is not valid. Check that you opened the whole link from the email."
    ]


def test_an_expired_confirmation_link_is_refused(programme: Programme) -> None:
    registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    registration_submit(
        programme=programme, raw=answers(programme, email="anna@example.org", region="Vaasa"), language="en"
    )
    token = outbox("recruitment.confirm_change")[0].context["url"].rstrip("/").rsplit("/", 1)[1]
    PendingChange.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError) as caught:
        registration_change_confirm(token=token)
    assert caught.value.code == "expired"
    assert "expired" in caught.value.messages[0]
    assert Participant.objects.get().region != "Vaasa"


def test_only_the_latest_confirmation_link_can_be_used(programme: Programme) -> None:
    registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    for region in ("Vaasa", "Kuopio"):
        registration_submit(
            programme=programme, raw=answers(programme, email="anna@example.org", region=region), language="en"
        )
        # An hour later: a new link is emailed (sooner, the answers wait behind the link already sent).
        PendingChange.objects.update(created_at=F("created_at") - timedelta(hours=1, seconds=1))
    older, newer = (row.context["url"].rstrip("/").rsplit("/", 1)[1] for row in outbox("recruitment.confirm_change"))
    with pytest.raises(ValidationError):
        registration_change_confirm(token=older)
    registration_change_confirm(token=newer)
    assert Participant.objects.get().region == "Kuopio"
    assert services.pending_change_from_token(newer) is not None
    assert services.pending_change_from_token("nonsense") is None


def test_a_cancelled_registrant_registers_again_after_confirming(small_programme: Programme) -> None:
    programme = small_programme
    first = registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    services.registration_cancel(participant=first.participant)
    registration_submit(programme=programme, raw=answers(programme), language="en")
    registration_submit(programme=programme, raw=answers(programme), language="en")  # now full

    again = registration_submit(programme=programme, raw=answers(programme, email="anna@example.org"), language="en")
    assert again.outcome == "confirm_email"
    assert Participant.objects.get(pk=first.participant.pk).status == Status.CANCELLED
    row = outbox("recruitment.confirm_change")[0]
    assert row.context["reactivate"] is True

    person = registration_change_confirm(token=row.context["url"].rstrip("/").rsplit("/", 1)[1])

    assert person.status == Status.WAITING_LIST  # a new registration, subject to capacity
    assert selectors.waiting_position(participant=person) == 1
    history = list(person.status_changes.values_list("to_status", "event"))
    assert history[-1] == ("waiting_list", "registered_again")
    [mail_row] = outbox("recruitment.waiting_list", recipient="anna@example.org")
    assert mail_row.context["waiting_position"] == 1


# --- cancelling -------------------------------------------------------------------------


def test_the_registrant_cancels_and_is_told(programme: Programme) -> None:
    result = registration_submit(programme=programme, raw=answers(programme), language="en")
    person = services.registration_cancel(participant=result.participant)
    assert person.status == Status.CANCELLED
    change = person.status_changes.order_by("at", "id").last()
    assert change is not None and change.reason == "Cancelled by the registrant"
    [row] = outbox("recruitment.cancelled")
    assert row.recipient == result.participant.user.email
    assert "has been cancelled" in render_notification(row).text


def test_cancelling_twice_or_too_late_is_refused(programme: Programme) -> None:
    result = registration_submit(programme=programme, raw=answers(programme), language="en")
    services.registration_cancel(participant=result.participant, reason="Changed my mind")
    with pytest.raises(ValidationError) as caught:
        services.registration_cancel(participant=result.participant)
    assert caught.value.messages == ["This registration has already been cancelled."]
    declined = make_participant(programme, Status.DECLINED)
    with pytest.raises(ValidationError) as caught:
        services.registration_cancel(participant=declined)
    assert caught.value.code == "not_cancellable"


# --- personal links -------------------------------------------------------------------------


def test_a_personal_link_names_its_participant_and_nothing_else(programme: Programme) -> None:
    one = make_participant(programme)
    two = make_participant(programme)
    token = manage_token(one)
    assert participant_from_token(token) == one
    assert participant_from_token(manage_token(two)) == two
    tampered = token.replace(f"{one.pk}-", f"{two.pk}-", 1)
    assert participant_from_token(tampered) is None
    assert participant_from_token(token[:-2]) is None
    for junk in ("", "abc", "1-1.x", "a" * 10_000, "1-1-1.abc"):
        assert participant_from_token(junk) is None


# --- rate limit ---------------------------------------------------------------------------------


def test_the_rate_limit_counts_per_address_and_programme(programme: Programme) -> None:
    # Fresh addresses: the cache (Redis when configured) outlives the test's database.
    # Each in its own /64 network: an IPv6 client is counted by its network.
    first, second = (f"2001:db8:{uuid.uuid4().hex[:4]}:{n}::1" for n in (1, 2))
    other = make_programme(programme.organisation)
    verdicts = [services.registration_rate_limited(programme=programme, client_ip=first) for _ in range(11)]
    assert verdicts == [False] * 10 + [True]
    assert services.registration_rate_limited(programme=programme, client_ip=second) is False
    assert services.registration_rate_limited(programme=other, client_ip=first) is False
