"""A person's name belongs to each programme they register for; the shared account's name is left alone.

One address can register for programmes of several organisations, and a
staff member can register as an entrepreneur too. Each organisation sees the
name typed into its own form; no registration renames the account that the
other organisations (and the person's colleagues) see.
"""

from __future__ import annotations

import csv
import importlib
import io
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kollega.accounts.models import User
from kollega.accounts.tokens import api_token_create
from kollega.core.models import Organisation, Participant, Programme, Role
from kollega.core.services import organisation_update
from kollega.recruitment.services import registration_change_confirm, registration_submit
from tests.factories import make_organisation, make_participant, make_programme, make_staff
from tests.recruitment.factories import answers, outbox


def _programme_of(name: str) -> tuple[Organisation, Programme, User]:
    organisation = make_organisation(name)
    organisation_update(organisation=organisation, actor=None, support_email="tuki@example.org")
    return organisation, make_programme(organisation), make_staff(organisation)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api_get(user: User, path: str) -> Any:
    _token, raw = api_token_create(user=user, name="tests")
    response = Client().get("/api/v1" + path, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.content
    return response.json()


def _csv_names(response: Any) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    return [row[0] for row in rows[1:]]


def test_each_organisation_sees_the_name_typed_into_its_own_form(db: None) -> None:
    _org_a, programme_a, staff_a = _programme_of("Alfa ry")
    _org_b, programme_b, staff_b = _programme_of("Beta ry")
    first = registration_submit(
        programme=programme_a, raw=answers(programme_a, email="anna@example.org", name="Anna Alias"), language="en"
    )
    second = registration_submit(
        programme=programme_b, raw=answers(programme_b, email="anna@example.org", name="Anna Virtanen"), language="en"
    )
    assert second.outcome == "registered"
    assert second.participant.user == first.participant.user  # one person, one account

    b = _signed_in(staff_b)
    listing = b.get(reverse("core:participant_list", args=[programme_b.pk]))
    detail = b.get(reverse("core:participant_detail", args=[second.participant.pk]))
    export = b.get(reverse("recruitment:participant_export_csv", args=[programme_b.pk]))
    assert "Anna Virtanen" in listing.text and "Anna Alias" not in listing.text
    assert "<h1>Anna Virtanen</h1>" in detail.text
    assert _csv_names(export) == ["Anna Virtanen"]
    participants = _api_get(staff_b, f"/programmes/{programme_b.pk}/participants")
    registrations = _api_get(staff_b, f"/programmes/{programme_b.pk}/registrations")
    assert [p["name"] for p in participants["items"]] == ["Anna Virtanen"]
    assert [r["name"] for r in registrations["items"]] == ["Anna Virtanen"]

    # The first organisation still sees the name given to it, and the account kept its name.
    listing_a = _signed_in(staff_a).get(reverse("core:participant_list", args=[programme_a.pk]))
    assert "Anna Alias" in listing_a.text and "Anna Virtanen" not in listing_a.text
    assert User.objects.get(email="anna@example.org").full_name == "Anna Alias"


def test_a_staff_member_who_registers_keeps_their_account_name(db: None) -> None:
    _org, programme, _staff = _programme_of("Gamma ry")
    other_org = make_organisation("Delta ry")
    colleague = make_staff(other_org, role=Role.FACILITATOR, email="sari@example.org")
    account_name = colleague.full_name

    outcome = registration_submit(
        programme=programme, raw=answers(programme, email="sari@example.org", name="Sari Yrittäjä"), language="en"
    )

    colleague.refresh_from_db()
    assert colleague.full_name == account_name
    assert Participant.objects.get(pk=outcome.participant.pk).display_name == "Sari Yrittäjä"
    [email] = outbox("recruitment.registered", "sari@example.org")
    assert email.context["name"] == "Sari Yrittäjä"


def test_a_new_address_gets_an_account_with_the_typed_name(db: None) -> None:
    _org, programme, _staff = _programme_of("Epsilon ry")
    outcome = registration_submit(
        programme=programme, raw=answers(programme, email="uusi@example.org", name="Uuno Uusi"), language="en"
    )
    assert outcome.participant.user.full_name == "Uuno Uusi"
    assert outcome.participant.display_name == "Uuno Uusi"


def test_confirming_new_answers_renames_the_person_in_this_programme_only(db: None) -> None:
    _org_a, programme_a, staff_a = _programme_of("Zeta ry")
    _org_b, programme_b, _staff_b = _programme_of("Eta ry")
    registration_submit(
        programme=programme_a, raw=answers(programme_a, email="anna@example.org", name="Anna Alias"), language="en"
    )
    in_b = registration_submit(
        programme=programme_b, raw=answers(programme_b, email="anna@example.org", name="Anna Virtanen"), language="en"
    )
    registration_submit(
        programme=programme_b, raw=answers(programme_b, email="anna@example.org", name="Anna Väisänen"), language="en"
    )
    [email] = outbox("recruitment.confirm_change", "anna@example.org")
    registration_change_confirm(token=email.context["url"].rstrip("/").rsplit("/", 1)[1])

    assert Participant.objects.get(pk=in_b.participant.pk).display_name == "Anna Väisänen"
    assert User.objects.get(email="anna@example.org").full_name == "Anna Alias"
    listing_a = _signed_in(staff_a).get(reverse("core:participant_list", args=[programme_a.pk]))
    assert "Anna Alias" in listing_a.text and "Väisänen" not in listing_a.text


def test_search_and_order_use_the_name_given_in_the_programme(db: None) -> None:
    _org, programme, staff = _programme_of("Theta ry")
    # An account named long ago, and a participant with no name of their own (made before names were kept).
    make_staff(make_organisation("Iota ry"), email="old@example.org")
    User.objects.filter(email="old@example.org").update(full_name="Zacharias Old")
    registration_submit(
        programme=programme, raw=answers(programme, email="old@example.org", name="Aada Alku"), language="en"
    )
    unnamed = make_participant(programme, email="bertta@example.org", full_name="Bertta Keski")
    Participant.objects.filter(pk=unnamed.pk).update(full_name="")  # falls back to the account's name
    registration_submit(programme=programme, raw=answers(programme, name="Cecilia Loppu"), language="en")
    client = _signed_in(staff)
    url = reverse("core:participant_list", args=[programme.pk])

    found = client.get(url, {"q": "Aada"})
    assert "Aada Alku" in found.text and "Cecilia" not in found.text
    assert "Aada Alku" not in client.get(url, {"q": "Zacharias"}).text  # the account's name is not this programme's
    assert "Bertta Keski" in client.get(url, {"q": "Keski"}).text

    page = client.get(url, {"order": "name"}).text
    assert page.index("Aada Alku") < page.index("Bertta Keski") < page.index("Cecilia Loppu")
    page = client.get(url, {"order": "-name"}).text
    assert page.index("Cecilia Loppu") < page.index("Bertta Keski") < page.index("Aada Alku")


def test_the_migration_gives_existing_participants_the_name_they_were_shown_with(db: None) -> None:
    from django.apps import apps

    migration = importlib.import_module("kollega.core.migrations.0004_participant_full_name")
    _org, programme, _staff = _programme_of("Kappa ry")
    before = make_participant(programme, email="vanha@example.org", full_name="Vanha Nimi")
    named = make_participant(programme, email="uusi@example.org", full_name="Oma Nimi")
    Participant.objects.filter(pk=before.pk).update(full_name="")  # as it was before the field existed
    User.objects.filter(pk=named.user_id).update(full_name="Tilin Nimi")

    migration.copy_names(apps, None)

    assert Participant.objects.get(pk=before.pk).display_name == "Vanha Nimi"
    assert Participant.objects.get(pk=named.pk).display_name == "Oma Nimi"  # a name of its own is kept


def _register_all_at_once(programmes: list[Programme], email: str) -> list[str]:
    """Each programme registers ``email`` in its own thread, all released together; returns the errors."""
    barrier = threading.Barrier(len(programmes))
    errors: list[str] = []

    def register(programme: Programme) -> None:
        try:
            barrier.wait()
            raw = answers(programme, email=email, name=f"Name in {programme.pk}")
            registration_submit(programme=programme, raw=raw, language="en")
        except BaseException as error:  # reported by the caller's assertion
            errors.append(repr(error)[:300])
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(programme,)) for programme in programmes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_programmes_registering_the_same_new_address_at_once_share_one_account() -> None:
    programmes = [make_programme(make_organisation(f"Org {n}")) for n in range(4)]
    for round_ in range(3):
        email = f"same{round_}@example.org"

        assert _register_all_at_once(programmes, email) == []

        assert User.objects.filter(email=email).count() == 1
        people = Participant.objects.filter(user__email=email)
        assert sorted(p.display_name for p in people) == sorted(f"Name in {p.pk}" for p in programmes)
