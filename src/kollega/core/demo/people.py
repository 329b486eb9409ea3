"""The demo's invented people. Any likeness to a real person or company is chance.

Every address is at example.org. Industries are TOL 2008 main classes; the
pilot's mix leans to creative and service trades, as the piloted round did.
"""

from __future__ import annotations

from dataclasses import dataclass

STAFF_COORDINATOR = ("Kaisa Esimerkki", "kaisa.esimerkki@example.org")
STAFF_FACILITATORS = (
    ("Veera Järvinen", "veera.jarvinen@example.org"),
    ("Tomi Laakso", "tomi.laakso@example.org"),
)

# What happened to a pilot participant.
COMPLETED = "completed"
WITHDRAWN = "withdrawn"
CANCELLED_ACCEPTED = "cancelled_accepted"  # left after being accepted, before any group
CANCELLED_IN_GROUP = "cancelled_in_group"  # left the group before its first meeting

MORNING = "morning"
AFTERNOON = "afternoon"
BOTH = "both"


@dataclass(frozen=True)
class Person:
    full_name: str
    gender: str
    company: str
    industry: str
    years: int
    region: str
    slots: str
    # Pilot only: the group joined, the outcome, and after which meeting a withdrawal came.
    group: str = ""
    outcome: str = ""
    withdrew_after: int = 0
    # Consent choices made at the interview: n(ame), c(ompany), e(mail) shared with the group.
    shares: str = "nce"
    wellbeing: bool = True
    language: str = "fi"

    @property
    def email(self) -> str:
        local = self.full_name.lower().replace(" ", ".")
        for src, dst in (("ä", "a"), ("ö", "o"), ("å", "a"), ("é", "e")):
            local = local.replace(src, dst)
        return f"{local}@example.org"


W, M = "woman", "man"

PILOT: tuple[Person, ...] = (
    # Morning group: 12 started (11 women, 1 man); one withdrew after the second meeting.
    Person("Aino Mäkelä-Rinne", W, "Valokuvaamo Aino", "R", 6, "Seinäjoki", MORNING, MORNING, COMPLETED),
    Person(
        "Helmi Kortesalmi", W, "Kortesalmen Käännöspalvelu", "M", 12, "Vaasa", BOTH, MORNING, COMPLETED, shares="nc"
    ),
    Person("Sari Peltokangas", W, "Sarin Hyvinvointihieronta", "S", 3, "Lapua", MORNING, MORNING, COMPLETED),
    Person("Juha Kivistö", M, "Kivistön Verkkosivupaja", "J", 8, "Kurikka", MORNING, MORNING, COMPLETED),
    Person(
        "Minna Hautakoski", W, "Hautakosken Tilitoimisto", "M", 15, "Ilmajoki", BOTH, MORNING, COMPLETED, shares="n"
    ),
    Person("Laura Ylimäki", W, "Tanssistudio Ylimäki", "P", 4, "Seinäjoki", MORNING, MORNING, COMPLETED),
    Person(
        "Kirsi Rantaperä",
        W,
        "Rantaperän Puutarhasuunnittelu",
        "M",
        2,
        "Alajärvi",
        MORNING,
        MORNING,
        WITHDRAWN,
        2,
        wellbeing=False,
    ),
    Person("Tiina Suvanto", W, "Suvannon Sanat", "J", 7, "Tampere", BOTH, MORNING, COMPLETED),
    Person(
        "Riikka Jokiranta", W, "Jokirannan Koiratarvike", "G", 5, "Kauhava", MORNING, MORNING, COMPLETED, shares="nc"
    ),
    Person("Outi Lehtimäki", W, "Valmennus Lehtimäki", "M", 9, "Jyväskylä", MORNING, MORNING, COMPLETED),
    Person("Päivi Harjunpää", W, "Kampaamo Päivi", "S", 20, "Lapua", MORNING, MORNING, COMPLETED, shares=""),
    Person("Elina Koskenniemi", W, "Koskenniemen Keramiikka", "R", 11, "Ähtäri", BOTH, MORNING, COMPLETED),
    # Afternoon group: 12 placed, one cancelled before the first meeting, so 11 started
    # (10 women, 1 man); two withdrew, after the first and the third meeting.
    Person("Marja Vainionpää", W, "Vainionpään Psykoterapia", "Q", 14, "Seinäjoki", AFTERNOON, AFTERNOON, COMPLETED),
    Person("Satu Latvala", W, "Latvalan Siivouspalvelu", "N", 6, "Kurikka", AFTERNOON, AFTERNOON, COMPLETED),
    Person(
        "Heikki Niemistö", M, "Niemistön Äänitys", "J", 10, "Vaasa", AFTERNOON, AFTERNOON, WITHDRAWN, 3, shares="nc"
    ),
    Person("Anu Kallioniemi", W, "Kallioniemen Tapahtumat", "N", 3, "Seinäjoki", BOTH, AFTERNOON, COMPLETED),
    Person("Pirjo Hakala", W, "Kielikoulu Hakala", "P", 18, "Tampere", AFTERNOON, AFTERNOON, COMPLETED),
    Person("Johanna Rautio", W, "Graafikko Rautio", "M", 5, "Ilmajoki", AFTERNOON, AFTERNOON, COMPLETED),
    Person("Hanna Ojanperä", W, "Ojanperän Fysio", "Q", 7, "Alavus", AFTERNOON, AFTERNOON, WITHDRAWN, 1),
    Person("Katja Nurmela", W, "Ompelimo Nurmela", "S", 12, "Lapua", BOTH, AFTERNOON, COMPLETED, wellbeing=False),
    Person("Eveliina Storm", W, "Storm Design", "M", 1, "Vaasa", AFTERNOON, AFTERNOON, COMPLETED, language="sv"),
    Person("Tuula Mäenpää", W, "Mäenpään Kauneushoitola", "S", 25, "Kauhajoki", AFTERNOON, AFTERNOON, COMPLETED),
    Person("Sanna Ketola", W, "Ketolan Taidekoulu", "P", 4, "Seinäjoki", AFTERNOON, AFTERNOON, COMPLETED, shares="ne"),
    Person(
        "Noora Ahola",
        W,
        "Aholan Valokuvaus",
        "R",
        2,
        "Kurikka",
        AFTERNOON,
        AFTERNOON,
        CANCELLED_IN_GROUP,
        wellbeing=False,
    ),
    # Accepted, then left before the groups were formed.
    Person("Leena Vuorela", W, "Vuorelan Viestintä", "J", 6, "Jyväskylä", BOTH, "", CANCELLED_ACCEPTED, shares="n"),
)

CANCEL_REASONS = {
    CANCELLED_ACCEPTED: "Sai pitkän toimeksiannon, eikä aika riitä kevään tapaamisiin.",
    CANCELLED_IN_GROUP: "Ei pysty sitoutumaan kaikkiin tapaamisiin tänä keväänä.",
}
WITHDRAW_REASON = "Yritystoiminta tauolla."

# The live programme's first registrations, newest last.
LIVE: tuple[Person, ...] = (
    Person("Ilona Peltonen", W, "Peltosen Puoti", "G", 2, "Seinäjoki", MORNING),
    Person("Marko Halme", M, "Halmeen IT-tuki", "J", 5, "Vaasa", AFTERNOON),
    Person("Sofia Lindqvist", W, "Lindqvist Översättningar", "M", 9, "Närpes", BOTH, language="sv"),
    Person("Emma Salonen", W, "Salonen Yoga", "R", 3, "Tampere", MORNING, language="en"),
    Person("Riitta Honkala", W, "Honkalan Hevostalli", "A", 16, "Kauhava", AFTERNOON),
    Person("Jenni Aaltonen", W, "Aaltosen Ravintovalmennus", "Q", 1, "Seinäjoki", BOTH),
    Person("Petra Kangas", W, "Kankaan Kuvitus", "R", 7, "Lapua", MORNING),
)
