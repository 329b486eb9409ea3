"""``kollega api-token EMAIL``: the token on stdout works against the API; mistakes are one clear line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kollega.__main__ import main
from kollega.accounts.models import ApiToken, User
from kollega.core import services

from .conftest import ApiClient


def test_prints_a_working_token(coordinator: User) -> None:
    out, err = StringIO(), StringIO()

    call_command("api_token", coordinator.email.upper(), "--name", "Nightly report", stdout=out, stderr=err)

    raw = out.getvalue().strip()
    assert raw.startswith("kol_")
    assert "\n" not in raw
    assert len(err.getvalue().strip().splitlines()) == 1
    assert "Nightly report" in err.getvalue()
    assert coordinator.email in err.getvalue()
    token = ApiToken.objects.get(user=coordinator)
    assert token.name == "Nightly report"
    assert ApiClient(Client(), raw).get("/programmes").status_code == 200


def test_default_name(coordinator: User) -> None:
    call_command("api_token", coordinator.email, stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.get(user=coordinator).name.startswith("command line ")


def test_unknown_email_fails(db: None) -> None:
    with pytest.raises(CommandError, match=r"No one has the email address nobody@example\.org\."):
        call_command("api_token", "nobody@example.org", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_non_staff_fails(db: None) -> None:
    services.user_get_or_create(email="yrittaja@example.org", full_name="Yrittäjä")
    with pytest.raises(CommandError, match="not staff"):
        call_command("api_token", "yrittaja@example.org", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


# The command closes its database connections when it ends, as Django's commands
# do; on PostgreSQL that needs a test that commits instead of rolling back.
@pytest.mark.django_db(transaction=True)
def test_the_kollega_command_exits_with_one_error_line(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["kollega", "api-token", "nobody@example.org"])

    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == ["CommandError: No one has the email address nobody@example.org."]


@pytest.mark.django_db(transaction=True)
def test_the_kollega_command_prints_the_token(coordinator: User, capsys: pytest.CaptureFixture[str]) -> None:
    main(["kollega", "api-token", coordinator.email])

    captured = capsys.readouterr()
    raw = captured.out.strip()
    assert ApiClient(Client(), raw).get("/programmes").status_code == 200
    assert len(captured.err.strip().splitlines()) == 1
