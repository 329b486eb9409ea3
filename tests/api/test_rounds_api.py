"""Questionnaire rounds through the API: open, list, remind, close, and the answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kollega.core.models import AuditEntry, ConsentItem, Participant, Programme, Status
from kollega.core.services import consent_record
from kollega.evaluation import services
from kollega.evaluation.models import ContactRequest, QuestionnaireRound, RoundInvitation, RoundKind
from kollega.evaluation.wellbeing import PEER_SUPPORT_ITEMS, WHO5_ITEMS
from kollega.notifications.models import Notification
from kollega.surveys.models import Form
from tests.factories import make_participant

from .conftest import API, ApiClient


def person(
    programme: Programme, consent: bool = True, status: str = Status.INTERVIEW_BOOKED, **fields: Any
) -> Participant:
    fields.setdefault("language", "en")
    participant = make_participant(programme, status, **fields)
    consent_record(participant=participant, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=consent, actor=None)
    return participant


def answers(who5: tuple[int, ...] = (4, 4, 3, 3, 4), peer: tuple[int, ...] = (4, 3, 3, 4, 2)) -> dict[str, str]:
    return {
        **{key: str(value) for key, value in zip(WHO5_ITEMS, who5, strict=True)},
        **{key: str(value) for key, value in zip(PEER_SUPPORT_ITEMS, peer, strict=True)},
    }


def in_days(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def open_round(programme: Programme, people: list[Participant], kind: str = RoundKind.BASELINE) -> QuestionnaireRound:
    return services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=kind,
        participants=people,
        closes_at=timezone.now() + timedelta(days=14),
    )


# --- opening -----------------------------------------------------------------------------


def test_open_a_round_for_participants_with_given_statuses(api: ApiClient, programme: Programme) -> None:
    agreed = person(programme, status=Status.ACCEPTED)
    declined = person(programme, consent=False, status=Status.ACCEPTED)
    person(programme, status=Status.REGISTERED)  # not asked: another status

    response = api.post(
        f"/programmes/{programme.pk}/rounds",
        {"kind": "follow_up", "statuses": ["accepted", "in_group"], "closes_at": in_days(14)},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "follow_up"
    assert body["kind_label"] == "Follow-up"
    assert body["state"] == "open"
    assert body["asked"] == 2
    assert body["invited"] == 1
    assert body["not_invited"] == 1
    assert body["answered"] == 0
    assert body["closes_at"].endswith(("+02:00", "+03:00"))
    round = QuestionnaireRound.objects.get(pk=body["id"])
    assert list(round.invitations.values_list("participant_id", flat=True)) == [agreed.pk]
    assert Notification.objects.filter(kind="evaluation.invitation", recipient=agreed.user.email).exists()
    assert not Notification.objects.filter(recipient=declined.user.email, kind="evaluation.invitation").exists()
    assert AuditEntry.objects.filter(
        action="evaluation.round.opened", actor__email="aino.koordinaattori@example.org"
    ).exists()


def test_open_a_round_for_named_participants(api: ApiClient, programme: Programme) -> None:
    one, two = person(programme), person(programme)

    response = api.post(
        f"/programmes/{programme.pk}/rounds",
        {"kind": "baseline", "participant_ids": [one.pk], "closes_at": in_days(7), "opens_at": in_days(1)},
    )

    assert response.status_code == 201, response.content
    assert response.json()["state"] == "scheduled"
    assert response.json()["invited"] == 1
    round = QuestionnaireRound.objects.get(pk=response.json()["id"])
    assert list(round.invitations.values_list("participant_id", flat=True)) == [one.pk]
    assert two.round_invitations.count() == 0


def test_a_refused_round_is_not_opened(api: ApiClient, programme: Programme, other_programme: Programme) -> None:
    path = f"/programmes/{programme.pk}/rounds"
    stranger = make_participant(other_programme)

    neither = api.post(path, {"kind": "baseline", "closes_at": in_days(7)})
    both = api.post(
        path, {"kind": "baseline", "statuses": ["accepted"], "participant_ids": [1], "closes_at": in_days(7)}
    )
    past = api.post(
        path, {"kind": "baseline", "statuses": ["accepted"], "closes_at": in_days(-1), "opens_at": in_days(-3)}
    )
    backwards = api.post(
        path, {"kind": "baseline", "statuses": ["accepted"], "closes_at": in_days(3), "opens_at": in_days(5)}
    )
    foreign = api.post(path, {"kind": "final", "participant_ids": [stranger.pk], "closes_at": in_days(7)})
    kind = api.post(path, {"kind": "midterm", "statuses": ["accepted"], "closes_at": in_days(7)})
    status = api.post(path, {"kind": "final", "statuses": ["happy"], "closes_at": in_days(7)})
    naive = api.post(path, {"kind": "final", "statuses": ["accepted"], "closes_at": "2031-01-01T00:00:00"})
    # The last representable moment: the invitation's closing date in local time would be year 10000.
    far = api.post(path, {"kind": "final", "statuses": ["accepted"], "closes_at": "9999-12-31T23:59:59Z"})
    too_late = api.post(path, {"kind": "final", "statuses": ["accepted"], "closes_at": in_days(2 * 366 + 2)})

    assert neither.status_code == 422
    assert neither.json()["errors"] == {"__all__": ["Give either statuses or participant_ids: whom the round asks."]}
    assert both.status_code == 422
    assert past.json()["errors"] == {"closes_at": ["The closing time has already passed."]}
    assert backwards.json()["errors"] == {"closes_at": ["The round must close after it opens."]}
    assert foreign.json()["errors"] == {
        "participant_ids": [f"This programme has no participants with these ids: {stranger.pk}."]
    }
    assert "kind" in kind.json()["errors"]
    assert "statuses.0" in status.json()["errors"]
    assert "closes_at" in naive.json()["errors"]
    assert far.status_code == 422 and list(far.json()["errors"]) == ["closes_at"]
    assert too_late.json()["errors"] == {"closes_at": ["A round can close at most two years from now."]}
    assert not QuestionnaireRound.objects.exists()
    assert not Form.objects.filter(programme=programme, purpose="questionnaire").exists()


# --- reading -------------------------------------------------------------------------------


def test_list_rounds_with_counts(api: ApiClient, programme: Programme) -> None:
    a, b = person(programme), person(programme)
    baseline = open_round(programme, [a, b])
    services.round_answer(invitation=baseline.invitations.get(participant=a), raw=answers(), language="en")
    follow_up = open_round(programme, [a], kind=RoundKind.FOLLOW_UP)
    services.round_close(round=follow_up)

    response = api.get(f"/programmes/{programme.pk}/rounds")

    assert response.status_code == 200, response.content
    rounds = {r["id"]: r for r in response.json()}
    assert rounds[baseline.pk]["invited"] == 2
    assert rounds[baseline.pk]["answered"] == 1
    assert rounds[baseline.pk]["state"] == "open"
    assert rounds[follow_up.pk]["state"] == "closed"
    assert rounds[follow_up.pk]["closed_at"] is not None
    assert api.get(f"/rounds/{baseline.pk}").json()["answered"] == 1


def test_round_list_takes_the_same_queries_however_many(api: ApiClient, programme: Programme) -> None:
    people = [person(programme) for _ in range(3)]
    open_round(programme, people[:1])
    path = f"/programmes/{programme.pk}/rounds"
    api.get(path)
    with CaptureQueriesContext(connection) as few:
        api.get(path)
    for _ in range(4):
        open_round(programme, people, kind=RoundKind.FOLLOW_UP)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(path).json()) == 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_read_the_answers_with_scores(api: ApiClient, programme: Programme) -> None:
    low = person(programme, full_name="Aada Alanen")
    fine = person(programme, full_name="Bertta Berg")
    silent = person(programme, full_name="Cecilia Carlsson")
    round = open_round(programme, [low, fine, silent])
    services.round_answer(
        invitation=round.invitations.get(participant=low), raw=answers(who5=(1, 2, 2, 2, 2)), language="en"
    )
    services.round_answer(invitation=round.invitations.get(participant=fine), raw=answers(), language="en")
    path = f"/rounds/{round.pk}/responses"

    everyone = api.get(path).json()
    answered = api.get(path, {"answered": "true"}).json()
    waiting = api.get(path, {"answered": "false"}).json()
    second_page = api.get(path, {"limit": 1, "offset": 1}).json()

    assert everyone["count"] == 3
    first = everyone["items"][0]
    assert first["name"] == "Aada Alanen"
    assert first["values"]["who5_1"] == 1
    # No "low" flag: staff learn of a low result only when the person asks to be contacted.
    assert first["scores"]["who5"] == {"raw": 9, "percentage": 36}
    assert first["scores"]["peer_support"] == pytest.approx(3.6)
    assert first["answered_at"].endswith(("+02:00", "+03:00"))
    assert everyone["items"][1]["scores"]["who5"] == {"raw": 18, "percentage": 72}
    assert everyone["items"][2]["scores"] is None
    assert everyone["items"][2]["values"] == {}
    assert [r["name"] for r in answered["items"]] == ["Aada Alanen", "Bertta Berg"]
    assert [r["name"] for r in waiting["items"]] == ["Cecilia Carlsson"]
    assert second_page["count"] == 3
    assert [r["name"] for r in second_page["items"]] == ["Bertta Berg"]


# --- remind and close ------------------------------------------------------------------------


def test_remind_those_who_have_not_answered(api: ApiClient, programme: Programme) -> None:
    answered, silent = person(programme), person(programme)
    round = open_round(programme, [answered, silent])
    services.round_answer(invitation=round.invitations.get(participant=answered), raw=answers(), language="en")

    too_soon = api.post(f"/rounds/{round.pk}/remind", {})
    # Three days on (the wait counts from the later of the invitation and the opening):
    QuestionnaireRound.objects.update(opens_at=timezone.now() - timedelta(days=3))
    RoundInvitation.objects.update(invited_at=timezone.now() - timedelta(days=3))
    response = api.post(f"/rounds/{round.pk}/remind", {})

    assert too_soon.status_code == 200
    assert too_soon.json()["reminded"] == 0
    assert too_soon.json()["detail"].startswith("Nobody to remind now")
    assert response.json() == {"reminded": 1, "detail": "Reminded 1 person."}
    assert list(Notification.objects.filter(kind="evaluation.reminder").values_list("recipient", flat=True)) == [
        silent.user.email
    ]


def test_close_a_round_then_reminding_is_refused(api: ApiClient, programme: Programme) -> None:
    round = open_round(programme, [person(programme)])

    closed = api.post(f"/rounds/{round.pk}/close", {})
    again = api.post(f"/rounds/{round.pk}/close", {})
    remind = api.post(f"/rounds/{round.pk}/remind", {})

    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "closed"
    assert again.status_code == 200
    assert again.json()["closed_at"] == closed.json()["closed_at"]
    assert remind.status_code == 409
    assert remind.json()["code"] == "not_open"
    assert remind.json()["detail"] == "Only an open round can be reminded about."


# --- permissions and bad input -------------------------------------------------------------------


@pytest.fixture
def round_ids(programme: Programme) -> dict[str, int]:
    round = open_round(programme, [person(programme)])
    return {"programme": programme.pk, "round": round.pk}


ENDPOINTS: list[tuple[str, str, dict[str, Any]]] = [
    ("get", "/programmes/{programme}/rounds", {}),
    (
        "post",
        "/programmes/{programme}/rounds",
        {"kind": "follow_up", "statuses": ["accepted"], "closes_at": "2999-01-01T00:00:00Z"},
    ),
    ("get", "/rounds/{round}", {}),
    ("post", "/rounds/{round}/remind", {}),
    ("post", "/rounds/{round}/close", {}),
    ("get", "/rounds/{round}/responses", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_a_facilitator_is_forbidden_and_another_organisation_finds_nothing(
    facilitator_api: ApiClient,
    other_api: ApiClient,
    round_ids: dict[str, int],
    method: str,
    path: str,
    body: dict[str, Any],
) -> None:
    path = path.format(**round_ids)
    call = (lambda a: a.get(path)) if method == "get" else (lambda a: a.post(path, body))

    forbidden = call(facilitator_api)
    hidden = call(other_api)
    anonymous = call(ApiClient(other_api.client, None))

    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "forbidden"
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "not_found"
    assert anonymous.status_code == 401
    assert QuestionnaireRound.objects.count() == 1
    assert QuestionnaireRound.objects.get().closed_at is None


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if e[0] == "post"])
@pytest.mark.parametrize(
    "raw",
    [
        b"{broken",
        b"[]",
        b'"text"',
        b"null",
        b'{"kind": "\\u0000", "statuses": "accepted", "closes_at": 5}',
        b"\xff\xfe\x00",
    ],
)
def test_garbage_bodies_are_refused_clearly(
    api: ApiClient, round_ids: dict[str, int], method: str, path: str, body: dict[str, Any], raw: bytes
) -> None:
    response = api.client.post(
        API + path.format(**round_ids), raw, content_type="application/json", headers=api._headers("en")
    )

    assert response.status_code in {400, 422}, response.content
    assert response.json()["code"] in {"bad_request", "invalid"}


def test_bad_paging_is_a_field_error(api: ApiClient, round_ids: dict[str, int]) -> None:
    response = api.get(f"/rounds/{round_ids['round']}/responses", {"limit": 0, "answered": "perhaps"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"limit", "answered"}


def test_the_openapi_document_describes_the_rounds(api: ApiClient) -> None:
    paths = api.client.get(API + "/openapi.json").json()["paths"]

    assert set(paths[API + "/programmes/{programme_id}/rounds"]) == {"get", "post"}
    assert set(paths[API + "/rounds/{round_id}/remind"]) == {"post"}
    assert set(paths[API + "/rounds/{round_id}/close"]) == {"post"}
    assert set(paths[API + "/rounds/{round_id}/responses"]) == {"get"}


def test_the_openapi_document_has_no_low_result_flag(api: ApiClient) -> None:
    schemas = api.client.get(API + "/openapi.json").json()["components"]["schemas"]

    assert set(schemas["Who5Out"]["properties"]) == {"raw", "percentage"}


def test_a_low_result_is_not_told_to_the_coordinator_unless_the_person_asks(
    api: ApiClient, programme: Programme
) -> None:
    low = person(programme, full_name="Aada Alanen")
    round = open_round(programme, [low])
    invitation = round.invitations.get()
    services.round_answer(invitation=invitation, raw=answers(who5=(1, 2, 2, 2, 2)), language="en")

    row = api.get(f"/rounds/{round.pk}/responses").json()["items"][0]

    assert "low" not in row["scores"]["who5"]
    assert "low" not in row and "low" not in row["scores"]
    assert not ContactRequest.objects.exists()
    services.contact_request_create(invitation=invitation)
    assert ContactRequest.objects.get().participant == low
