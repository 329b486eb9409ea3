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
    # Consent choices made at the interview: n(ame), c(ompany), e(mail) shared with the group,
    # and the well-being questionnaire (in the pilot, only Kirsi Rantaperä declined it).
    shares: str = "nce"
    wellbeing: bool = True
    language: str = "fi"
    # How they found the programme: a share link's channel tag, or (without a link)
    # the channel chosen in "where did you hear of us".
    link: str = ""
    heard: str = ""
    company_size: str = "solo"

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
    Person("Katja Nurmela", W, "Ompelimo Nurmela", "S", 12, "Lapua", BOTH, AFTERNOON, COMPLETED),
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
    ),
    # Accepted, then left before the groups were formed.
    Person("Leena Vuorela", W, "Vuorelan Viestintä", "J", 6, "Jyväskylä", BOTH, "", CANCELLED_ACCEPTED, shares="n"),
)

CANCEL_REASONS = {
    CANCELLED_ACCEPTED: "Sai pitkän toimeksiannon, eikä aika riitä kevään tapaamisiin.",
    CANCELLED_IN_GROUP: "Ei pysty sitoutumaan kaikkiin tapaamisiin tänä keväänä.",
}
WITHDRAW_REASON = "Yritystoiminta tauolla."

# The live programme's later registrations, oldest first. With those ready to be
# grouped (below) it holds 30 places, so the last two are on the waiting list.
LIVE: tuple[Person, ...] = (
    Person("Ilona Peltonen", W, "Peltosen Puoti", "G", 2, "Seinäjoki", MORNING, link="yrittajat"),
    Person("Marko Halme", M, "Halmeen IT-tuki", "J", 5, "Vaasa", AFTERNOON, link="some"),
    Person("Sofia Lindqvist", W, "Lindqvist Översättningar", "M", 9, "Närpes", BOTH, language="sv", heard="jasenkirje"),
    Person("Emma Salonen", W, "Salonen Yoga", "R", 3, "Tampere", MORNING, language="en", link="some"),
    Person("Riitta Honkala", W, "Honkalan Hevostalli", "A", 16, "Kauhava", AFTERNOON, link="jasenkirje"),
    Person("Jenni Aaltonen", W, "Aaltosen Ravintovalmennus", "Q", 1, "Seinäjoki", BOTH, link="yrittajat"),
    Person("Petra Kangas", W, "Kankaan Kuvitus", "R", 7, "Lapua", MORNING, heard="tiedote"),
    Person(
        "Antti Vesterinen",
        M,
        "Vesterisen Puusepänverstas",
        "C",
        13,
        "Alavus",
        AFTERNOON,
        link="tiedote",
        company_size="2-9",
    ),
    Person("Mari Koivisto", W, "Koiviston Kukka", "G", 4, "Kurikka", BOTH, link="yrittajat"),
    Person("Oona Rintala", W, "Rintalan Kirjanpito", "M", 6, "Ilmajoki", MORNING, heard="other"),
    Person("Viivi Haapala", W, "Studio Haapala", "R", 2, "Seinäjoki", AFTERNOON, link="some"),
    Person("Tapio Seppälä", M, "Seppälän Sähkötyö", "F", 19, "Lapua", MORNING, link="jasenkirje", company_size="2-9"),
    Person("Kaarina Mattila", W, "Mattilan Mehiläistarha", "A", 8, "Kauhajoki", BOTH, link="yrittajat"),
    Person("Linnea Berg", W, "Berg Coaching", "M", 3, "Vaasa", AFTERNOON, language="sv", link="some"),
)

# Registered in the live programme's first days, interviewed and accepted: ready to be grouped.
LIVE_READY: tuple[Person, ...] = (
    Person("Hanna Kivelä", W, "Kivelän Kampaamo", "S", 11, "Seinäjoki", MORNING, link="yrittajat"),
    Person("Juha Mäntylä", M, "Mäntylän Maalaus", "F", 22, "Lapua", MORNING, link="jasenkirje", company_size="2-9"),
    Person("Sanna Leppänen", W, "Leppäsen Lahjatavara", "G", 6, "Kurikka", BOTH, link="yrittajat"),
    Person("Elina Nurmi", W, "Nurmen Näkymät Oy", "M", 4, "Vaasa", AFTERNOON, link="some"),
    Person("Ville Korpela", M, "Korpelan Koodaamo", "J", 2, "Seinäjoki", AFTERNOON, link="some"),
    Person("Anneli Ojala", W, "Ojalan Hoitola", "Q", 14, "Alavus", MORNING, heard="tiedote"),
    Person("Ida Wikström", W, "Wikström Design", "M", 1, "Korsholm", BOTH, language="sv", link="jasenkirje"),
    Person("Heikki Rantanen", M, "Rantasen Retket", "N", 8, "Kauhava", MORNING, link="yrittajat"),
    Person("Laura Hietala", W, "Hietalan Hyvinvointi", "S", 3, "Ilmajoki", AFTERNOON, link="some"),
    Person("Kalle Saarinen", M, "Saarisen Sahaus", "C", 27, "Kauhajoki", MORNING, company_size="2-9", heard="other"),
    Person("Minna Jokela", W, "Jokelan Juhlapalvelu", "I", 9, "Lapua", AFTERNOON, link="jasenkirje"),
    Person("Noora Virtanen", W, "Virtasen Valokuvaus", "R", 5, "Seinäjoki", BOTH, link="some"),
    Person("Pekka Lahti", M, "Lahden Laki", "M", 17, "Vaasa", MORNING, link="tiedote"),
    Person("Tiina Kallio", W, "Kallion Käsityö", "C", 12, "Kurikka", AFTERNOON, link="yrittajat"),
    Person("Joel Heinonen", M, "Heinosen Huolto", "S", 0, "Alavus", AFTERNOON, language="en", link="some"),
    Person("Satu Mäki", W, "Mäen Markkinointi", "M", 7, "Ilmajoki", MORNING, link="jasenkirje"),
    Person("Erik Nyström", M, "Nyström Bokföring", "M", 21, "Närpes", AFTERNOON, language="sv", heard="jasenkirje"),
    Person("Reetta Aho", W, "Ahon Arkkitehtuuri", "M", 10, "Seinäjoki", BOTH, link="tiedote"),
)

# Registered on the live programme's first two days, interviewed and accepted, and placed in an
# early morning group whose first meeting is next week. Two of them share less with the group.
LIVE_EARLY: tuple[Person, ...] = (
    Person("Aila Räsänen", W, "Räsäsen Ruokapalvelu", "I", 12, "Seinäjoki", MORNING, link="yrittajat"),
    Person(
        "Mikael Sjöberg",
        M,
        "Sjöbergs Snickeri",
        "C",
        9,
        "Närpes",
        BOTH,
        language="sv",
        heard="jasenkirje",
        company_size="2-9",
    ),
    Person("Rebecca Hart", W, "Hart Language Studio", "P", 4, "Vaasa", MORNING, language="en", link="some", shares="n"),
    Person("Tuomas Perälä", M, "Perälän Pyöräkorjaamo", "S", 6, "Lapua", MORNING, link="tiedote"),
    Person("Marjut Hirvonen", W, "Kuvitus Hirvonen", "R", 3, "Kurikka", BOTH, link="some"),
    Person("Annika Holm", W, "Holm Textil", "C", 15, "Korsholm", MORNING, language="sv", link="jasenkirje"),
    Person("Eero Karhu", M, "Karhun Konsultointi", "M", 11, "Ilmajoki", BOTH, heard="other"),
    Person("Silja Honkanen", W, "Honkasen Hostelli", "I", 2, "Alavus", MORNING, link="yrittajat", shares=""),
)
LIVE_EARLY_GROUP = "Aamupäiväryhmä 1"

# The outreach channels of the demo's programmes: (link tag, kind, name per language).
CHANNELS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (
        "yrittajat",
        "partner_network",
        {
            "fi": "Esimerkkilän Yrittäjät ry",
            "sv": "Esimerkkilän Yrittäjät rf",
            "en": "Esimerkkilä Entrepreneurs' Association",
        },
    ),
    ("jasenkirje", "newsletter", {"fi": "Jäsenkirje", "sv": "Medlemsbrevet", "en": "Members' newsletter"}),
    ("some", "social_media", {"fi": "Sosiaalinen media", "sv": "Sociala medier", "en": "Social media"}),
    ("tiedote", "press_release", {"fi": "Lehdistötiedote", "sv": "Pressmeddelande", "en": "Press release"}),
)

# Where each pilot participant heard of the programme (by the order of PILOT).
PILOT_HEARD = ("yrittajat", "jasenkirje", "some", "yrittajat", "tiedote") * 5

# The pilot's registrants ranked clarifying goals, organising work and networks
# highest; these weights make a random but faithful ranking for each.
THEME_WEIGHTS = {
    "goals": 9.0,
    "work-and-time": 7.0,
    "networks": 5.0,
    "recovery": 2.5,
    "pricing-sales": 2.0,
    "operating-environment": 1.5,
}

OTHER_TOPICS = {
    "fi": (
        "",
        "Kirjanpito ja verotus",
        "Somemarkkinointi pienellä budjetilla",
        "",
        "Ensimmäisen työntekijän palkkaaminen",
        "Tekoälytyökalut yksinyrittäjän arjessa",
        "",
        "Asiakashankinta ja tarjousten tekeminen",
        "Jaksaminen, kun lapset ovat pieniä",
    ),
    "sv": ("", "Bokföring och skatter", "Att hitta nya kunder", ""),
    "en": ("", "Bookkeeping and taxes in Finland", "Finding customers", ""),
}

EXPECTATIONS = {
    "fi": (
        "Vertaistukea ja uusia näkökulmia omaan yrittäjyyteen.",
        "Haluan kuulla, miten muut yksinyrittäjät jaksavat ja järjestävät työnsä.",
        "Selkeyttä omiin tavoitteisiin ja arjen rutiineihin.",
        "Verkostoja ja ehkä yhteistyökumppaneita.",
        "Työyhteisön tunnetta, jota yksin toimiessa ei ole.",
        "Toivon saavani rohkeutta hinnoitella palveluni oikein.",
        "Aikaa pysähtyä oman yrityksen suunnan äärelle.",
    ),
    "sv": (
        "Kamratstöd och nya perspektiv på mitt företagande.",
        "Att höra hur andra ensamföretagare orkar och organiserar sitt arbete.",
    ),
    "en": (
        "Peer support and new ideas for running my business.",
        "To meet other one-person businesses and share what works.",
    ),
}

# What the interviewer wrote down at the intake interview: a goal for the business and one for
# the person's own well-being (shown again at the end), per language.
GOALS_BUSINESS = {
    "fi": (
        "Nostaa hintoja kevään aikana ja uskaltaa sanoa ne ääneen.",
        "Saada kolme uutta vakioasiakasta ennen kesää.",
        "Tehdä yritykselle selkeä vuosisuunnitelma.",
        "Päättää, palkkaanko ensimmäisen työntekijän.",
        "Siirtää kirjanpito tilitoimistolle ja vapauttaa aikaa asiakastyöhön.",
        "Avata verkkokauppa, joka on ollut puolivalmiina vuoden.",
        "Karsia palveluvalikoimasta ne, jotka eivät kannata.",
        "Löytää yhteistyökumppani isompiin toimeksiantoihin.",
        "Saada tarjousten tekemiseen selkeä rutiini.",
        "Kirjoittaa yrityksen tavoitteet paperille ja seurata niitä kuukausittain.",
        "Saada somemarkkinointi säännölliseksi, kerran viikossa.",
        "Selvittää, kannattaako yritystä kasvattaa vai pitää pienenä.",
    ),
    "sv": (
        "Höja priserna under våren och stå för dem.",
        "Hitta två nya fasta kunder före sommaren.",
        "Göra en tydlig årsplan för företaget.",
    ),
    "en": (
        "Raise my prices by the summer.",
        "Find two regular customers for the autumn.",
        "Write a simple plan for the next year.",
    ),
}
GOALS_WELLBEING = {
    "fi": (
        "Pitää yksi kokonainen vapaapäivä viikossa.",
        "Lopettaa sähköpostien lukeminen iltaisin.",
        "Liikkua ulkona joka päivä ennen töitä.",
        "Pitää kesällä vähintään kahden viikon loma.",
        "Oppia sanomaan ei kiireellisille lisätöille.",
        "Nukkua paremmin: työt pois makuuhuoneesta.",
        "Sopia työpäivälle selkeä loppumisaika.",
        "Löytää joku, jolle soittaa, kun yrittäjyys tuntuu raskaalta.",
        "Pitää lounastauko joka päivä.",
        "Vähentää murehtimista rahasta tekemällä budjetin.",
        "Varata kalenteriin aikaa myös omille harrastuksille.",
        "Jaksaa arkea paremmin pienten lasten kanssa.",
    ),
    "sv": (
        "Ta en hel ledig dag varje vecka.",
        "Sluta läsa e-post på kvällarna.",
        "Röra på mig ute varje dag.",
    ),
    "en": (
        "Take one full day off every week.",
        "Stop answering emails in the evening.",
        "Get outside for a walk every morning.",
    ),
}
# Now and then the interviewer noted something for the staff.
STAFF_NOTES = (
    "",
    "",
    "",
    "Jännitti videoyhteyttä; testattiin kahdesti ja toimi.",
    "",
    "Toivoo, että ryhmässä on muitakin luovan alan yrittäjiä.",
    "",
    "Näytön jakaminen ei onnistunut, neuvottu asetukset sähköpostilla.",
    "",
    "Kiireinen kevät tiedossa, mutta sitoutui kaikkiin tapaamisiin.",
)

# The demo's programme page texts that the seeded ones do not cover.
PAGE_TEXTS: dict[str, dict[str, str]] = {
    "summary": {
        "fi": "Maksuton, verkossa kokoontuva vertaisryhmä yksin- ja mikroyrittäjille: viisi tapaamista, "
        "samat 6–12 yrittäjää ja kaksi ohjaajaa.",
        "sv": "En avgiftsfri kamratgrupp på nätet för ensam- och mikroföretagare: fem träffar, "
        "samma 6–12 företagare och två handledare.",
        "en": "A free online peer group for solo and micro entrepreneurs: five meetings, "
        "the same 6–12 entrepreneurs and two facilitators.",
    },
    "facilitators": {
        "fi": "Ryhmiä ohjaavat Esimerkkilän yrityspalveluiden Veera Järvinen ja Tomi Laakso.",
        "sv": "Grupperna leds av Veera Järvinen och Tomi Laakso från Esimerkkilän yrityspalvelut.",
        "en": "The groups are led by Veera Järvinen and Tomi Laakso of Esimerkkilän yrityspalvelut.",
    },
    "privacy_notice": {
        "fi": "Esimerkkilän yrityspalvelut (demo) käsittelee ilmoittautumistietojasi vain ohjelman "
        "järjestämiseen ja sen tulosten raportointiin. Tietoja näkevät ohjelman koordinaattorit ja "
        "ryhmäsi ohjaajat. Ryhmäsi jäsenet näkevät nimesi, yrityksesi ja sähköpostiosoitteesi vain, jos "
        "annat siihen luvan. Tiedot poistetaan vuoden kuluttua ohjelman päättymisestä. Voit pyytää "
        "tietojasi nähtäväksi tai poistettavaksi osoitteesta vertaisryhmat@example.org.",
        "sv": "Esimerkkilän yrityspalvelut (demo) behandlar dina anmälningsuppgifter endast för att ordna "
        "programmet och rapportera dess resultat. Uppgifterna ses av programmets koordinatorer och din "
        "grupps handledare. Gruppens medlemmar ser ditt namn, ditt företag och din e-postadress bara om du "
        "tillåter det. Uppgifterna raderas ett år efter att programmet har avslutats. Du kan be att få se "
        "eller radera dina uppgifter via vertaisryhmat@example.org.",
        "en": "Esimerkkilän yrityspalvelut (demo) uses your registration details only to run the programme "
        "and to report its results. They are seen by the programme's coordinators and your group's "
        "facilitators. Your group's members see your name, company and email address only if you allow it. "
        "The details are deleted a year after the programme ends. To see or delete your details, write to "
        "vertaisryhmat@example.org.",
    },
}

# What the pilot's facilitators wrote after each meeting, by the meeting's theme: notes for the group,
# a link and a note among the materials. Every address is at example.org.
MEETING_NOTES: dict[str, str] = {
    "getting-to-know": "Tutustuimme toisiimme ja sovimme ryhmän pelisäännöt: luottamuksellisuus, kaikilla on "
    "oikeus tulla kuulluksi, ja poissaolosta kerrotaan etukäteen. Seuraavalla kerralla tavoitteet.",
    "goals": "Kirjoitimme kukin yhden liiketoiminnan ja yhden oman hyvinvoinnin tavoitteen kevääksi. "
    "Parikeskusteluissa tarkennettiin, miten tavoitteen toteutumisen huomaa. Työkirja on liitteenä.",
    "work-and-time": "Asiantuntija-alustuksen jälkeen vertasimme viikkorytmejämme. Moni aikoo kokeilla "
    "kiinteää sähköpostiaikaa ja yhtä kokonaan vapaata päivää viikossa.",
    "operating-environment": "Pohdimme, mitkä muutokset asiakkaissa, tekniikassa ja säädöksissä koskevat "
    "omaa yritystä seuraavan kahden vuoden aikana, ja valitsimme kukin yhden, johon varautua.",
    "networks": "Viimeisellä kerralla piirsimme omat verkostokarttamme ja palasimme alussa asetettuihin "
    "tavoitteisiin. Ryhmä sopi jatkavansa tapaamisia omin päin kerran kuukaudessa.",
}
MEETING_LINKS: dict[str, tuple[str, str]] = {
    "getting-to-know": ("Yksinyrittäjän jaksamisen muistilista", "https://example.org/materiaalit/jaksaminen"),
    "goals": ("Tavoitteiden asettaminen pienyrityksessä", "https://example.org/materiaalit/tavoitteet"),
    "work-and-time": ("Viikkosuunnittelun pohja", "https://example.org/materiaalit/viikkosuunnitelma"),
    "operating-environment": (
        "Katsaus pienyritysten toimintaympäristöön",
        "https://example.org/materiaalit/toimintaymparisto",
    ),
    "networks": ("Alueen yrittäjäverkostot ja neuvontapalvelut", "https://example.org/materiaalit/verkostot"),
}
MEETING_MEMOS: dict[str, tuple[str, str]] = {
    "getting-to-know": (
        "Ryhmän pelisäännöt",
        "1. Mitä ryhmässä puhutaan, jää ryhmään.\n2. Annetaan jokaiselle puheenvuoro.\n"
        "3. Kerrotaan poissaolosta etukäteen.\n4. Kamera päällä, jos mahdollista.",
    ),
    "goals": ("Kotitehtävä", "Kirjaa tavoitteesi näkyvään paikkaan ja katso sitä kerran viikossa."),
    "work-and-time": ("Kokeilu seuraavaan kertaan", "Valitse yksi ajankäytön kokeilu kolmeksi viikoksi."),
    "operating-environment": (
        "Kysymykset pohdittaviksi",
        "Mikä muutos vaikuttaa eniten asiakkaisiisi? Mitä voit tehdä sen eteen jo tänä vuonna?",
    ),
    "networks": ("Yhteystiedot", "Ryhmän yhteinen viestiketju jatkaa ryhmän omana kanavana."),
}
# Expert talks of the pilot: by theme, (speaker, title). The speakers are invented.
EXPERT_TALKS: dict[str, tuple[str, str]] = {
    "work-and-time": (
        "Paula Ristimäki, Esimerkkilän uusyrityskeskus",
        "Viikkorytmi, joka kantaa: ajanhallintaa yksinyrittäjälle",
    ),
    "operating-environment": (
        "Markus Heinämaa, Esimerkkilän kauppakamari",
        "Mitä seuraavat vuodet tuovat pienyrittäjälle?",
    ),
}
# The worksheet handed out at the goals meeting, made as a small PDF file when the demo is built.
WORKSHEET_THEME = "goals"
WORKSHEET_FILENAME = "tavoitetyokirja.pdf"
WORKSHEET_TITLE = "Tavoitetyökirja"
WORKSHEET_LINES = (
    "Tavoitetyökirja – Yksinyrittäjien vertaisryhmä",
    "",
    "1. Liiketoimintani tavoite tälle keväälle:",
    "2. Oman hyvinvointini tavoite:",
    "3. Mistä huomaan, että olen edennyt?",
    "4. Ensimmäinen pieni askel ennen seuraavaa tapaamista:",
    "",
    "Esimerkkilän yrityspalvelut (demo)",
)
# What members wrote when they told in advance that they could not come.
ABSENCE_NOTES = (
    "Asiakastyö samaan aikaan, valitettavasti.",
    "Lapsi sairastui, en pääse tällä kertaa.",
    "Messut Tampereella koko päivän.",
)
