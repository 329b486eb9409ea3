"""The dry run: columns matched to questions, every cell checked, every rejected row named by its line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kollega.core.models import Programme
from kollega.outreach.models import Channel
from kollega.recruitment.importing.checking import guess_mapping, mapping_problems
from kollega.recruitment.importing.reading import read_table
from kollega.recruitment.importing.services import import_dry_run, import_questions
from tests.factories import make_participant
from tests.recruitment_import.conftest import KEYS, csv_bytes, person

IDENTITY = {key: key for key in KEYS}


def dry_run(programme: Programme, content: bytes, mapping: dict[str, str] | None = None, language: str = "en"):  # type: ignore[no-untyped-def]
    return import_dry_run(programme=programme, content=content, mapping=mapping or IDENTITY, language=language)


def reasons(report, line: int) -> list[str]:  # type: ignore[no-untyped-def]
    return next(r.reasons for r in report.rejected if r.line == line)


def test_headings_equal_to_a_key_or_a_questions_text_in_any_language_are_matched(programme: Programme) -> None:
    questions = import_questions(programme=programme)
    headers = [
        "NAME",
        "Sähköpostiosoite",  # the email question's Finnish text
        "Företagets namn",  # not a text of any question: left out
        "Hur många år har du varit företagare?",
        "privacy",
        "Aikaleima",
        "Kanava",
        "Ignored column",
    ]
    mapping = guess_mapping(headers, questions)
    assert mapping["NAME"] == "name"
    assert mapping["Hur många år har du varit företagare?"] == "years_in_business"
    assert mapping["privacy"] == "privacy"
    assert mapping["Aikaleima"] == "registered_at"
    assert mapping["Kanava"] == "channel"
    assert "Ignored column" not in mapping
    email_fi = next(q for q in questions if q.key == "email").text["fi"]
    assert guess_mapping([email_fi.upper()], questions) == {email_fi.upper(): "email"}


def test_a_valid_file_has_no_rejections(programme: Programme) -> None:
    report = dry_run(programme, csv_bytes([person(1), person(2)]))
    assert report.problems == []
    assert len(report.valid) == 2
    assert report.rejected == []
    assert report.valid[0].raw["themes"] == ["goals", "networks"]


def test_cells_are_read_the_way_people_write_them(programme: Programme) -> None:
    Channel.objects.create(programme=programme, key="newsletter", name={"fi": "Uutiskirje", "en": "Newsletter"})
    rows = [
        person(
            1,
            industry="manufacturing",  # a label, any case
            years_in_business="3,0",
            company_size="Yksinyrittäjä (vain minä)",  # the Finnish label
            time_slots="Aamupäivä; afternoon",  # a slot's name without its hours, and a key
            themes="1. Clarifying personal and business goals > networks",
            privacy="Kyllä",
            registered_at="5.3.2025 14.30",
            channel="uutiskirje",
        ),
        person(2, privacy="x", time_slots="morning,afternoon", themes="networks;goals", channel="newsletter"),
    ]
    headers = [*KEYS, "registered_at", "channel"]
    report = dry_run(programme, csv_bytes(rows, headers=headers), {h: h for h in headers})
    assert report.rejected == []
    first, second = report.valid
    assert first.raw["industry"] == "C"
    assert first.raw["years_in_business"] == "3"
    assert first.raw["company_size"] == "solo"
    assert first.raw["time_slots"] == ["morning", "afternoon"]
    assert first.raw["themes"] == ["goals", "networks"]
    assert first.raw["privacy"] is True
    assert first.registered_at == datetime(2025, 3, 5, 14, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
    assert first.channel_key == second.channel_key == "newsletter"
    assert second.raw["time_slots"] == ["morning", "afternoon"]
    assert second.raw["themes"] == ["networks", "goals"]


def test_rejected_rows_carry_their_line_and_the_questions_label(programme: Programme) -> None:
    rows = [
        person(1),
        person(2, email="not an address"),
        person(3, company_size="huge", time_slots="morning; midnight"),
        person(4, years_in_business="3,5", privacy="ei"),
        person(5, privacy="perhaps"),
    ]
    report = dry_run(programme, csv_bytes(rows))
    assert [r.line for r in report.valid] == [2]
    assert [r.line for r in report.rejected] == [3, 4, 5, 6]
    assert reasons(report, 3) == ["Email address: Enter an email address such as name@example.fi."]
    assert reasons(report, 4) == [
        "Size of your business: “huge” is not one of the options.",
        "Which times suit you for the group's meetings?: “midnight” is not one of the options.",
    ]
    assert reasons(report, 5) == [
        "How many years have you been in business?: Enter a whole number.",
        "I have read the privacy notice. My details are used to run the programme and to report its results.: "
        "You need to give this consent to continue.",
    ]
    assert "“perhaps” is neither yes nor no" in reasons(report, 6)[0]


def test_messages_are_in_the_users_language(programme: Programme) -> None:
    report = dry_run(programme, csv_bytes([person(1, email="nope")]), language="fi")
    assert reasons(report, 2)[0].startswith("Sähköpostiosoite: ")


def test_an_email_twice_in_the_file_names_both_lines(programme: Programme) -> None:
    rows = [person(1, email="Same@Example.org"), person(2), person(3, email="same@example.org")]
    report = dry_run(programme, csv_bytes(rows))
    message = "The email address same@example.org is on lines 2 and 4; keep it on one line only."
    assert reasons(report, 2) == [message]
    assert reasons(report, 4) == [message]
    assert [r.line for r in report.valid] == [3]


def test_an_email_already_in_the_programme_is_rejected(programme: Programme) -> None:
    make_participant(programme, email="taken@example.org")
    report = dry_run(programme, csv_bytes([person(1, email="TAKEN@example.org"), person(2)]))
    assert reasons(report, 2) == ["taken@example.org is already registered in this programme; not changed."]
    assert len(report.valid) == 1


def test_missing_columns_for_required_questions_are_said_once_for_the_file(programme: Programme) -> None:
    headers = ["name", "email", "region"]
    report = dry_run(programme, csv_bytes([person(1)], headers=headers), {h: h for h in headers})
    assert "The file has no column for the required question “Name of your business”. Add the column or choose it." in (
        report.problems
    )
    assert len(report.problems) == 7  # company, industry, years, size, times, themes, privacy
    assert report.rejected == []  # the rows are not blamed for what the whole file lacks
    assert not report.importable


def test_mapping_mistakes(programme: Programme) -> None:
    questions = import_questions(programme=programme)
    table = read_table(csv_bytes([person(1)], headers=[*KEYS, "Mail"]))
    mapping = {**IDENTITY, "Mail": "email", "Nope": "name", "region": "no_such_question"}
    problems = mapping_problems(table.headers, mapping, questions)
    assert "The file has no column “Nope”." in problems
    assert "“no_such_question” is not a question of the registration form." in problems
    assert "The columns “email” and “Mail” all answer “Email address”. Choose one of them." in problems
    assert (
        "The file has no column for the required question “Municipality or region where your business works”. "
        "Add the column or choose it." in problems
    )


def test_unmapped_columns_are_listed(programme: Programme) -> None:
    headers = [*KEYS, "Notes", "Member number"]
    report = dry_run(programme, csv_bytes([person(1)], headers=headers))
    assert report.unmapped == ["Notes", "Member number"]
    assert ("email", "email", "Email address") in report.mapping


def test_special_columns_are_checked(programme: Programme) -> None:
    headers = [*KEYS, "registered_at", "channel", "language"]
    rows = [
        person(1, registered_at="yesterday", channel="billboard", language="klingon"),
        person(2, registered_at="2999-01-01", language="svenska"),
        person(3, registered_at="2025-03-05T10:00:00+00:00", language="fi"),
    ]
    report = dry_run(programme, csv_bytes(rows, headers=headers), {h: h for h in headers})
    assert reasons(report, 2) == [
        "Registration time: “yesterday” is not a date. Write it as 2025-03-31 or 31.3.2025, "
        "with a time if you like (14:30).",
        "Channel: “billboard” is not a channel of this programme; it has no channels.",
        "Language of the registrant: “klingon” is not a language of the programme. Write fi, sv, en.",
    ]
    assert reasons(report, 3) == ["Registration time: 2999-01-01 is in the future."]
    assert report.valid[0].language == "fi"
    assert report.valid[0].registered_at == datetime(2025, 3, 5, 10, tzinfo=ZoneInfo("UTC"))


def test_a_line_with_more_cells_than_headings(programme: Programme) -> None:
    content = csv_bytes([person(1)]) + b"extra," + csv_bytes([person(2)]).split(b"\r\n")[1] + b"\r\n"
    report = dry_run(programme, content)
    assert "The line has more cells than the file has headings." in reasons(report, 3)


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "Robert'); DROP TABLE participants;--"])
def test_hostile_text_is_just_text(programme: Programme, value: str) -> None:
    report = dry_run(programme, csv_bytes([person(1, name=value, region=value)]))
    assert report.valid[0].raw["name"] == value
