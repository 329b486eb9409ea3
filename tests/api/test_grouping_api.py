"""Forming groups through the API: proposals, moves, accepting, facilitators and pair rules."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kollega.accounts.models import User
from kollega.core.models import AuditEntry, Organisation, Participant, Programme, Role, Status
from kollega.core.services import organisation_lend_facilitators
from kollega.grouping.models import Group, PairRule, Proposal, ProposalState
from tests.factories import make_accepted_applicants, make_group, make_participant

from .conftest import API, ApiClient, staff

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def put(api: ApiClient, path: str, body: Any) -> Any:
    return api.client.put(API + path, json.dumps(body), content_type="application/json", headers=api._headers("en"))


def delete(api: ApiClient, path: str) -> Any:
    return api.client.delete(API + path, headers=api._headers("en"))


def propose(api: ApiClient, programme: Programme, **body: Any) -> dict[str, Any]:
    response = api.post(f"/programmes/{programme.pk}/proposals", {"time_limit": 3, "wait": True, **body})
    assert response.status_code == 201, response.content
    return response.json()


def first_meeting_details(proposal: dict[str, Any]) -> list[dict[str, Any]]:
    start = timezone.localdate() + timedelta(days=30)
    return [
        {"key": group["key"], "name": f"Ryhmä {n}", "start_date": start.isoformat()}
        for n, group in enumerate(proposal["groups"], start=1)
    ]


def test_a_proposal_made_while_waiting_has_its_result_goals_and_groups(api: ApiClient, programme: Programme) -> None:
    people = make_accepted_applicants(programme, 14)

    data = propose(api, programme, weights={"themes": 5})

    assert data["number"] == 1
    assert data["state"] == "done"
    assert data["status"] in ("optimal", "feasible")
    assert data["status_text"]
    assert data["bound"] <= data["objective"]
    assert set(data["goals"]) == set(data["baseline_goals"]) == set(data["optimiser_goals"])
    assert (data["goal_rows"][0]["goal"], data["goal_rows"][0]["label"]) == ("industry", "Mix of industries")
    assert data["weights"]["themes"] == 5
    assert len(data["groups"]) == 2
    placed = sorted(m["id"] for group in data["groups"] for m in group["members"])
    assert placed == sorted(p.pk for p in people)
    names = {m["name"] for group in data["groups"] for m in group["members"]}
    assert names == {p.display_name for p in people}
    assert sum(group["size"] for group in data["groups"]) == 14
    assert all(6 <= group["size"] <= 12 for group in data["groups"])
    assert data["left_out"] == [] and data["conflicts"] == [] and data["warnings"] == []
    assert AuditEntry.objects.filter(action="grouping.proposal.created", actor__isnull=False).exists()


def test_without_waiting_the_proposal_is_queued_and_listed(
    api: ApiClient, programme: Programme, django_capture_on_commit_callbacks: Any
) -> None:
    make_accepted_applicants(programme, 12)
    propose(api, programme)

    response = api.post(f"/programmes/{programme.pk}/proposals", {"time_limit": 2})

    assert response.status_code == 202
    assert response.json()["state"] == "queued"
    listed = api.get(f"/programmes/{programme.pk}/proposals").json()
    assert [(p["number"], p["state"]) for p in listed] == [(2, "queued"), (1, "done")]
    assert listed[1]["status_label"]


def test_people_who_cannot_be_placed_are_named_with_the_reason(api: ApiClient, programme: Programme) -> None:
    make_accepted_applicants(programme, 12)
    loner = make_participant(programme, Status.ACCEPTED, full_name="Iltavirkku Ilona", time_slots=[])

    data = propose(api, programme)

    assert data["status"] == "partial"
    assert data["left_out"] == [{"id": loner.pk, "name": "Iltavirkku Ilona"}]
    assert data["conflicts"][0]["rule"] == "no_slot"
    assert data["conflicts"][0]["people"] == [loner.pk]
    assert "Iltavirkku Ilona" in data["conflicts"][0]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": 601}, "time_limit"),
        ({"time_limit": 5, "weights": {"industry": 11}}, "weights.industry"),
        ({"time_limit": 5, "weights": {"happiness": 1}}, "weights"),
        ({"time_limit": 5, "industry_mode": "random"}, "industry_mode"),
        ({"time_limit": 5, "colour": "red"}, "colour"),
    ],
)
def test_bad_settings_are_refused_by_field_and_nothing_is_made(
    api: ApiClient, programme: Programme, body: dict[str, Any], field: str
) -> None:
    make_accepted_applicants(programme, 6)

    response = api.post(f"/programmes/{programme.pk}/proposals", body)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Proposal.objects.exists()


def test_a_move_that_breaks_a_size_rule_is_made_and_warned_about(api: ApiClient, programme: Programme) -> None:
    make_accepted_applicants(programme, 13)
    data = propose(api, programme)
    small = min(data["groups"], key=lambda group: group["size"])
    large = max(data["groups"], key=lambda group: group["size"])
    mover = small["members"][0]["id"]

    response = api.post(f"/proposals/{data['id']}/moves", {"participant": mover, "group": large["key"]})

    assert response.status_code == 200, response.content
    moved = response.json()
    assert {w["code"] for w in moved["warnings"]} == {"too_small"}
    warning = moved["warnings"][0]
    assert warning["group"] == small["key"]
    assert "at least 6" in warning["message"]
    member = next(m for group in moved["groups"] for m in group["members"] if m["id"] == mover)
    assert member["moved"] is True
    assert api.post(f"/proposals/{data['id']}/moves", {"participant": mover, "group": "nowhere#9"}).json()[
        "errors"
    ] == {"group": ["There is no such group in the proposal."]}
    unknown = api.post(f"/proposals/{data['id']}/moves", {"participant": 999999, "group": large["key"]})
    assert unknown.status_code == 422 and "participant" in unknown.json()["errors"]


def test_accepting_creates_the_groups_and_moves_everyone_into_them(api: ApiClient, programme: Programme) -> None:
    people = make_accepted_applicants(programme, 14)
    data = propose(api, programme)

    response = api.post(f"/proposals/{data['id']}/accept", {"groups": first_meeting_details(data)})

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["proposal_id"] == data["id"]
    assert sorted(g["name"] for g in created["groups"]) == ["Ryhmä 1", "Ryhmä 2"]
    assert {g["key"] for g in created["groups"]} == {g["key"] for g in data["groups"]}
    assert sorted(k for g in created["groups"] for k in g["members"]) == sorted(p.pk for p in people)
    # Each group is answered under its own key, with the members the proposal placed there.
    proposed = {g["key"]: sorted(m["id"] for m in g["members"]) for g in data["groups"]}
    assert {g["key"]: sorted(g["members"]) for g in created["groups"]} == proposed
    start_day = WEEKDAYS[(timezone.localdate() + timedelta(days=30)).weekday()]
    assert {g["weekday"] for g in created["groups"]} == {start_day}
    assert Group.objects.filter(programme=programme).count() == 2
    assert set(Participant.objects.filter(programme=programme).values_list("status", flat=True)) == {Status.IN_GROUP}
    assert api.get(f"/proposals/{data['id']}").json()["state"] == "accepted"
    again = api.post(f"/proposals/{data['id']}/accept", {"groups": first_meeting_details(data)})
    assert again.status_code == 409 and again.json()["code"] == "not_editable"


def test_accepting_is_refused_with_the_warnings_and_writes_nothing(api: ApiClient, programme: Programme) -> None:
    make_accepted_applicants(programme, 13)
    data = propose(api, programme)
    small = min(data["groups"], key=lambda group: group["size"])
    large = max(data["groups"], key=lambda group: group["size"])
    api.post(f"/proposals/{data['id']}/moves", {"participant": small["members"][0]["id"], "group": large["key"]})

    response = api.post(f"/proposals/{data['id']}/accept", {"groups": first_meeting_details(data)})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "rules"
    assert [w["code"] for w in body["warnings"]] == ["too_small"]
    assert body["errors"]["__all__"] == [body["warnings"][0]["message"]]
    assert not Group.objects.exists()
    assert Proposal.objects.get().state == ProposalState.DONE
    assert set(Participant.objects.values_list("status", flat=True)) == {Status.ACCEPTED}


def test_accepting_needs_a_name_and_a_date_for_every_new_group(api: ApiClient, programme: Programme) -> None:
    make_accepted_applicants(programme, 14)
    data = propose(api, programme)
    details = first_meeting_details(data)
    start_day = (timezone.localdate() + timedelta(days=30)).weekday()
    wrong_day = dict(details[1], weekday=WEEKDAYS[(start_day + 1) % 7])

    missing = api.post(f"/proposals/{data['id']}/accept", {"groups": details[:1]})
    clashing = api.post(f"/proposals/{data['id']}/accept", {"groups": [details[0], dict(details[1], name="Ryhmä 1")]})
    unknown = api.post(f"/proposals/{data['id']}/accept", {"groups": [*details, dict(details[0], key="x#1")]})

    assert missing.status_code == 422 and data["groups"][1]["name"] in missing.json()["errors"]["groups"][0]
    assert clashing.status_code == 422 and "groups.1.name" in clashing.json()["errors"]
    assert unknown.status_code == 422 and "groups.2.key" in unknown.json()["errors"]
    wrong = api.post(f"/proposals/{data['id']}/accept", {"groups": [details[0], wrong_day]})
    assert wrong.status_code == 422 and "groups.1.start_date" in wrong.json()["errors"]
    assert not Group.objects.exists()


# --- pair rules ------------------------------------------------------------------------------


def test_pair_rules_can_be_added_listed_and_removed(api: ApiClient, programme: Programme) -> None:
    a, b, c = make_accepted_applicants(programme, 3)

    created = api.post(
        f"/programmes/{programme.pk}/pairs", {"first": b.pk, "second": a.pk, "kind": "apart", "note": "Kilpailijat"}
    )

    assert created.status_code == 201, created.content
    rule = created.json()
    assert (rule["first"]["id"], rule["second"]["id"]) == (a.pk, b.pk)  # stored smaller id first
    assert rule["kind"] == "apart" and rule["kind_label"] == "Must not share a group"
    assert rule["note"] == "Kilpailijat"
    again = api.post(f"/programmes/{programme.pk}/pairs", {"first": a.pk, "second": b.pk, "kind": "together"})
    assert again.status_code == 422
    assert "already have a rule" in again.json()["detail"]
    same = api.post(f"/programmes/{programme.pk}/pairs", {"first": c.pk, "second": c.pk, "kind": "together"})
    assert same.status_code == 422 and same.json()["errors"] == {"second": ["Choose two different people."]}
    assert (
        api.post(f"/programmes/{programme.pk}/pairs", {"first": c.pk, "second": b.pk, "kind": "together"}).status_code
        == 201
    )
    listed = api.get(f"/programmes/{programme.pk}/pairs").json()
    assert [r["kind"] for r in listed] == ["apart", "together"]
    assert AuditEntry.objects.filter(action="grouping.pair.created").count() == 2

    removed = delete(api, f"/pairs/{rule['id']}")

    assert removed.status_code == 204
    assert [r["kind"] for r in api.get(f"/programmes/{programme.pk}/pairs").json()] == ["together"]
    assert AuditEntry.objects.filter(action="grouping.pair.deleted").count() == 1


def test_a_pair_must_name_people_of_the_programme(
    api: ApiClient, programme: Programme, other_programme: Programme
) -> None:
    (a,) = make_accepted_applicants(programme, 1)
    stranger = make_participant(other_programme, Status.ACCEPTED)

    response = api.post(f"/programmes/{programme.pk}/pairs", {"first": a.pk, "second": stranger.pk, "kind": "apart"})

    assert response.status_code == 422
    assert response.json()["errors"] == {"second": ["This programme has no participant with this id."]}
    assert not PairRule.objects.exists()


def test_a_must_not_pair_is_honoured_by_the_next_proposal(api: ApiClient, programme: Programme) -> None:
    people = make_accepted_applicants(programme, 14)
    api.post(f"/programmes/{programme.pk}/pairs", {"first": people[0].pk, "second": people[1].pk, "kind": "apart"})

    data = propose(api, programme)

    where = {m["id"]: group["key"] for group in data["groups"] for m in group["members"]}
    assert where[people[0].pk] != where[people[1].pk]


# --- facilitators ----------------------------------------------------------------------------


@pytest.fixture
def facilitators(org: Organisation) -> tuple[User, User]:
    return (
        staff(org, Role.FACILITATOR, "liisa.vetaja@example.org", "Liisa Vetäjä"),
        staff(org, Role.FACILITATOR, "pekka.tuki@example.org", "Pekka Tuki"),
    )


def test_facilitators_are_set_and_a_clash_needs_confirming(
    api: ApiClient, programme: Programme, facilitators: tuple[User, User]
) -> None:
    lead, co = facilitators
    group = make_group(programme, members=2)
    other = make_group(programme, lead=lead)  # the same time slot, weekday and dates

    clash = put(api, f"/groups/{group.pk}/facilitators", {"lead": lead.pk, "co": co.pk})

    assert clash.status_code == 409
    assert clash.json()["code"] == "clash"
    assert other.name in clash.json()["clashes"][0]
    group.refresh_from_db()
    assert group.lead_facilitator_id is None

    confirmed = put(api, f"/groups/{group.pk}/facilitators", {"lead": lead.pk, "co": co.pk, "confirm_clash": True})

    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert body["lead_facilitator"]["name"] == "Liisa Vetäjä"
    assert body["co_facilitator"]["name"] == "Pekka Tuki"
    assert body["size"] == 2 and len(body["members"]) == 2
    assert other.name in body["clashes"][0]
    assert put(api, f"/groups/{group.pk}/facilitators", {"lead": None, "co": co.pk}).json()["lead_facilitator"] is None


def test_facilitators_must_be_two_of_the_organisations_staff(
    api: ApiClient, programme: Programme, facilitators: tuple[User, User], other_coordinator: User
) -> None:
    lead, _co = facilitators
    group = make_group(programme)

    twice = put(api, f"/groups/{group.pk}/facilitators", {"lead": lead.pk, "co": lead.pk})
    outsider = put(api, f"/groups/{group.pk}/facilitators", {"lead": other_coordinator.pk, "co": None})
    nobody = put(api, f"/groups/{group.pk}/facilitators", {"lead": 987654, "co": None})

    assert twice.status_code == 422 and "co" in twice.json()["errors"]
    assert outsider.status_code == 422 and "lead" in outsider.json()["errors"]
    assert nobody.status_code == 422 and "lead" in nobody.json()["errors"]
    group.refresh_from_db()
    assert group.lead_facilitator_id is None and group.co_facilitator_id is None


def test_an_id_outside_the_choices_tells_nothing_about_whose_it_is(
    api: ApiClient, programme: Programme, other_coordinator: User
) -> None:
    group = make_group(programme)
    inactive = staff(programme.organisation, Role.FACILITATOR, "lahtenyt@example.org", "Lähtenyt Ohjaaja")
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    unused = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000

    answers = {
        pk: put(api, f"/groups/{group.pk}/facilitators", {"lead": None, "co": pk})
        for pk in (other_coordinator.pk, inactive.pk, unused)
    }

    for pk, response in answers.items():
        assert response.status_code == 422
        body = response.json()
        assert body["errors"] == {"co": [f"No facilitator with id {pk} can be chosen for this group."]}
        # An account that exists is answered exactly as one that does not: no name, no address.
        assert body["detail"] == body["errors"]["co"][0]
    for person in (other_coordinator, inactive):
        for response in answers.values():
            assert person.full_name not in response.content.decode()
            assert person.email not in response.content.decode()
    group.refresh_from_db()
    assert group.co_facilitator_id is None


def test_a_partners_facilitator_can_be_chosen_and_their_other_groups_stay_unnamed(
    api: ApiClient, org: Organisation, other_org: Organisation, programme: Programme, other_programme: Programme
) -> None:
    lent = staff(other_org, Role.FACILITATOR, "lainattu@example.org", "Lainattu Ohjaaja")
    theirs = make_group(other_programme, lead=lent)  # the same time slot, weekday and dates
    group = make_group(programme)
    before_lending = put(api, f"/groups/{group.pk}/facilitators", {"lead": lent.pk, "co": None})
    assert before_lending.status_code == 422
    assert "Lainattu" not in before_lending.content.decode()
    organisation_lend_facilitators(organisation=other_org, partner_slug=org.slug, actor=None)

    clash = put(api, f"/groups/{group.pk}/facilitators", {"lead": lent.pk, "co": None})

    assert clash.status_code == 409
    text = clash.json()["clashes"][0]
    assert "Lainattu Ohjaaja also facilitates a group of another organisation" in text
    assert theirs.name not in clash.content.decode() and other_programme.name not in clash.content.decode()
    confirmed = put(api, f"/groups/{group.pk}/facilitators", {"lead": lent.pk, "co": None, "confirm_clash": True})
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["lead_facilitator"]["name"] == "Lainattu Ohjaaja"
    assert "a group of another organisation" in confirmed.json()["clashes"][0]
    assert theirs.name not in confirmed.content.decode()


# --- who may --------------------------------------------------------------------------------


def test_another_organisation_finds_nothing_and_a_facilitator_is_forbidden(
    api: ApiClient, facilitator_api: ApiClient, other_api: ApiClient, programme: Programme
) -> None:
    a, b = make_accepted_applicants(programme, 2)
    proposal = Proposal.objects.create(programme=programme, number=1, state=ProposalState.DONE)
    group = make_group(programme)
    rule = PairRule.objects.create(programme=programme, first=a, second=b, kind="apart")
    calls = [
        ("get", f"/programmes/{programme.pk}/proposals", None),
        ("post", f"/programmes/{programme.pk}/proposals", {"time_limit": 1}),
        ("get", f"/proposals/{proposal.pk}", None),
        ("post", f"/proposals/{proposal.pk}/moves", {"participant": a.pk, "group": "morning#1"}),
        ("post", f"/proposals/{proposal.pk}/accept", {"groups": []}),
        ("put", f"/groups/{group.pk}/facilitators", {"lead": None, "co": None}),
        ("get", f"/programmes/{programme.pk}/pairs", None),
        ("post", f"/programmes/{programme.pk}/pairs", {"first": a.pk, "second": b.pk, "kind": "together"}),
        ("delete", f"/pairs/{rule.pk}", None),
    ]
    anonymous = ApiClient(api.client, None)
    expected = (
        (other_api, 404, "not_found"),
        (facilitator_api, 403, "forbidden"),
        (anonymous, 401, "not_authenticated"),
    )
    for method, path, body in calls:
        for client, status, code in expected:
            if method == "get":
                response = client.get(path)
            elif method == "post":
                response = client.post(path, body)
            elif method == "put":
                response = put(client, path, body)
            else:
                response = delete(client, path)
            assert (response.status_code, response.json()["code"]) == (status, code), (method, path)
    assert Proposal.objects.count() == 1
    assert PairRule.objects.count() == 1


def test_the_openapi_document_describes_grouping(api: ApiClient) -> None:
    paths = api.client.get(API + "/openapi.json").json()["paths"]

    assert set(paths[API + "/programmes/{programme_id}/proposals"]) == {"get", "post"}
    assert set(paths[API + "/proposals/{proposal_id}"]) == {"get"}
    assert set(paths[API + "/proposals/{proposal_id}/moves"]) == {"post"}
    assert set(paths[API + "/proposals/{proposal_id}/accept"]) == {"post"}
    assert set(paths[API + "/groups/{group_id}/facilitators"]) == {"put"}
    assert set(paths[API + "/programmes/{programme_id}/pairs"]) == {"get", "post"}
    assert set(paths[API + "/pairs/{pair_id}"]) == {"delete"}


@pytest.mark.parametrize("raw", [b"{broken", b"[]", b'"text"', b"null", b'{"time_limit": "\\u0000", "first": []}'])
def test_garbage_bodies_are_refused_clearly(api: ApiClient, programme: Programme, raw: bytes) -> None:
    a, b = make_accepted_applicants(programme, 2)
    proposal = Proposal.objects.create(programme=programme, number=1, state=ProposalState.DONE)
    group = make_group(programme)
    paths = [
        ("post", f"/programmes/{programme.pk}/proposals"),
        ("post", f"/proposals/{proposal.pk}/moves"),
        ("post", f"/proposals/{proposal.pk}/accept"),
        ("post", f"/programmes/{programme.pk}/pairs"),
        ("put", f"/groups/{group.pk}/facilitators"),
    ]
    for method, path in paths:
        send = api.client.post if method == "post" else api.client.put
        response = send(API + path, raw, content_type="application/json", headers=api._headers("en"))

        assert response.status_code in {400, 422}, (path, response.content)
        assert response.json()["code"] in {"bad_request", "invalid"}
    assert Proposal.objects.count() == 1 and not PairRule.objects.exists()
    assert (a.status, b.status) == (Status.ACCEPTED, Status.ACCEPTED)


def test_accepting_refuses_a_first_meeting_in_the_past_and_writes_nothing(api: ApiClient, programme: Programme) -> None:
    make_accepted_applicants(programme, 14)
    data = propose(api, programme)
    past = timezone.localdate() - timedelta(days=7)
    details = [
        dict(item, start_date=past.isoformat(), weekday=WEEKDAYS[past.weekday()])
        for item in first_meeting_details(data)
    ]
    response = api.post(f"/proposals/{data['id']}/accept", {"groups": details})
    assert response.status_code in (400, 409, 422), response.content
    assert "first meeting" in response.content.decode()
    assert not Group.objects.exists()
