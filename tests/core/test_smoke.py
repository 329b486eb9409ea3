import pytest

from kollega.core.services import organisation_create, programme_create_from_template


@pytest.mark.django_db
def test_programme_from_template_has_piloted_defaults():
    org = organisation_create(name="Testiorganisaatio")
    programme = programme_create_from_template(organisation=org, title={"fi": "Kevät"})
    assert (programme.meeting_count, programme.meeting_interval_days, programme.meeting_length_minutes) == (5, 21, 120)
    assert [s.key for s in programme.time_slots.all()] == ["morning", "afternoon"]
    assert programme.themes.count() == 7
