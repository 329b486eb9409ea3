"""``kollega create-organisation``: the first start of a real installation."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kollega.accounts.models import StaffInvitation
from kollega.core.models import AuditEntry, Organisation
from kollega.notifications.models import Notification
from tests.support.processes import kollega_env, run_kollega


def create(*args: str) -> str:
    out = StringIO()
    call_command("create_organisation", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_creates_the_organisation_and_invites_its_first_coordinator() -> None:
    output = create(
        "Länsirannikon Yrityskehitys", "--coordinator", "Paula.Pilotti@Example.org", "--time-zone", "Europe/Stockholm"
    )
    org = Organisation.objects.get()
    assert (org.name, org.slug, org.time_zone) == (
        "Länsirannikon Yrityskehitys",
        "lansirannikon-yrityskehitys",
        "Europe/Stockholm",
    )
    invitation = StaffInvitation.objects.get()
    assert (invitation.organisation, invitation.email, invitation.role) == (
        org,
        "paula.pilotti@example.org",
        "coordinator",
    )
    assert invitation.invited_by is None
    message = Notification.objects.get(recipient="paula.pilotti@example.org")
    assert message.kind == "accounts.staff_invitation"
    assert AuditEntry.objects.filter(action="core.organisation.created", organisation=org).exists()
    assert "Created the organisation “Länsirannikon Yrityskehitys” (short name lansirannikon-yrityskehitys" in output
    assert "Invited paula.pilotti@example.org as its coordinator. The invitation email is in the outbox" in output


@pytest.mark.django_db
def test_the_time_zone_defaults_to_helsinki() -> None:
    create("Testilä", "--coordinator", "a@example.org")
    assert Organisation.objects.get().time_zone == "Europe/Helsinki"


@pytest.mark.django_db
def test_refuses_an_organisation_whose_short_name_is_taken() -> None:
    create("Testilä", "--coordinator", "a@example.org")
    with pytest.raises(CommandError, match="An organisation with the short name testila already exists"):
        create("TESTILÄ", "--coordinator", "b@example.org")
    assert Organisation.objects.count() == 1
    create("Testilä", "--coordinator", "b@example.org", "--slug", "testila-pohjoinen")
    assert Organisation.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Testilä", "--coordinator", "not-an-address"], "not-an-address is not an email address"),
        (
            ["Testilä", "--coordinator", "a@example.org", "--time-zone", "Mars/Olympus"],
            "Mars/Olympus is not a known time zone",
        ),
        (["!!!", "--coordinator", "a@example.org"], "Give the organisation a name made of letters or digits"),
    ],
)
def test_refuses_wrong_input_and_creates_nothing(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        create(*args)
    assert not Organisation.objects.exists()
    assert not StaffInvitation.objects.exists()


def test_as_a_command_a_duplicate_is_one_line(migrated_dir: Path) -> None:
    env = kollega_env(migrated_dir)
    first = run_kollega("create-organisation", "Testilä", "--coordinator", "a@example.org", env=env)
    assert first.returncode == 0, first.stderr
    assert "The invitation email is in the outbox" in first.stdout
    again = run_kollega("create-organisation", "Testilä", "--coordinator", "b@example.org", env=env)
    assert again.returncode != 0
    assert again.stderr.strip().splitlines() == [
        "CommandError: An organisation with the short name testila already exists; choose another with --slug."
    ]
