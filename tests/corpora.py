"""Generated corpora: many small documents for crash tests, distinct facts for load tests,
and the load cases: (question, the phrase its answer must hold, the file it must cite)."""

from __future__ import annotations

import random
from pathlib import Path

_WORDS = (
    "harbor ledger council orchard ferry lantern meadow quarry bakery archive signal valley "
    "granite beacon festival canal museum timber copper glacier choir market bridge river "
    "station garden library tunnel village summit pottery weaver compass island"
).split()

SEED_CASES = [  # about the seed article and tests/data/corpus
    ("How many countries voted for the European resolution?", "93", "us-un-ukraine-resolutions.txt"),
    ("Which British prime minister is scheduled to meet Trump?", "Keir Starmer", "us-un-ukraine-resolutions.txt"),
    ("How much power will the floating solar farm produce at peak?", "9 megawatts", "lakeside-solar.txt"),
    ("How long is the largest ship model at the Harbor Museum?", "4-metre", "harbor-museum.md"),
]

# (file stem, title, the fact, a question about it, the phrase the answer must hold)
FACTS = [
    ("bakery", "Pell Street Bakery Wins Regional Prize", "The Pell Street Bakery baked 1,240 sourdough loaves for the regional fair.",
     "How many sourdough loaves did the Pell Street Bakery bake for the fair?", "1,240"),
    ("marathon", "Dunmore Marathon Results", "Ines Carvalho won the Dunmore marathon in 2 hours 31 minutes.",
     "Who won the Dunmore marathon?", "Ines Carvalho"),
    ("library", "Ashby Library Extends Opening Hours", "The Ashby library now stays open until 21:30 on Thursdays.",
     "Until what time is the Ashby library open on Thursdays?", "21:30"),
    ("zoo", "Northgate Zoo Welcomes Red Pandas", "Northgate Zoo received three red pandas from a breeding programme in Nepal.",
     "How many red pandas did Northgate Zoo receive?", "three red pandas"),
    ("choir", "Brennock Choir Tours the Coast", "The Brennock choir will sing in eleven coastal churches this summer.",
     "In how many coastal churches will the Brennock choir sing?", "eleven"),
    ("observatory", "Kestrel Hill Observatory Spots a Comet", "Astronomers at Kestrel Hill observatory photographed the comet using a 60-centimetre telescope.",
     "What size telescope photographed the comet at Kestrel Hill?", "60-centimetre"),
    ("ferry", "Island Ferry Adds a Night Crossing", "The Tollan island ferry adds a night crossing that departs at 23:40.",
     "When does the Tollan island ferry's night crossing depart?", "23:40"),
    ("orchard", "Fenwick Orchard Harvest Report", "Fenwick orchard picked 38 tonnes of apples during the autumn harvest.",
     "How many tonnes of apples did Fenwick orchard pick?", "38 tonnes"),
]


def write_fact_documents(folder: Path) -> list[tuple[str, str, str]]:
    """One short news-style document per fact; returns (question, phrase, file name) triples."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    cases = []
    for stem, title, fact, question, phrase in FACTS:
        filler = " ".join(rng.choice(_WORDS) for _ in range(60))
        (folder / f"{stem}.txt").write_text(f"{title}\n\n{fact}\n\nNotes: {filler}.\n", encoding="utf-8")
        cases.append((question, phrase, f"{stem}.txt"))
    return cases


def write_station_documents(folder: Path, count: int) -> list[tuple[str, str, str]]:
    """`count` look-alike weather reports told apart only by an invented place name, month and
    figure: many distinct questions (no two alike, so no answer comes from a cache)."""
    folder.mkdir(parents=True, exist_ok=True)
    heads = "Kel Mor Tav Bran Sol Quil Dun Fen Hal Rook".split()
    tails = "wick stead moor hollow ford gate combe holt mere thorpe".split()
    months = "January February March April May June July August September October November December".split()
    cases = []
    for number in range(count):
        place = heads[number % 10] + tails[(number // 10) % 10] + ("" if number < 100 else str(number // 100))
        month, rain = months[number % 12], 100 + (number * 37) % 800
        text = (
            f"{place} Weather Station Report\n\nThe {place} weather station recorded {rain} millimetres "
            f"of rain in {month}.\n\nVolunteers read the gauge at {place} every morning.\n"
        )
        (folder / f"station-{place.lower()}.txt").write_text(text, encoding="utf-8")
        question = f"How much rain did the {place} weather station record in {month}?"
        cases.append((question, f"{rain} millimetres", f"station-{place.lower()}.txt"))
    return cases


def write_many_documents(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """`count` documents of a few passages each, from a seeded random vocabulary."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for number in range(count):
        paragraphs = [
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(40, 100))).capitalize() + "."
            for _ in range(rng.randint(1, 4))
        ]
        path = folder / f"note-{number:04d}.txt"
        path.write_text(f"Field note {number}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def ask_api(assistant, question: str) -> tuple[str, list[str]]:
    """The answer's text and the sources it cites, through the Python API."""
    answer = assistant.ask(question)
    return answer.text, [citation.source for citation in answer.citations]


def belongs(case: tuple[str, str, str], text: str, sources: list[str]) -> bool:
    """Whether an answer is the answer to `case`: it holds the fact and cites the fact's file."""
    _, phrase, file = case
    return phrase in text and any(source.endswith(file) for source in sources)


_SYLLABLES = "ka mo ri tel zan vor pe lu quin dra sol fen bri ost mar".split()


def code_word(number: int, version: int) -> str:
    """A made-up word, different for every report and version (`Briostkavor`)."""
    value, parts = number * 7 + version * 131 + 17, []
    for _ in range(4):
        value, digit = divmod(value, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    return "".join(parts).capitalize() + str(number)


def write_report(folder: Path, number: int, version: int, rng: random.Random) -> Path:
    """Report `number` in its `version`: a code word only it holds, then 1-6 paragraphs of
    filler (one to four passages of 1,000 characters)."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = [
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(60, 110))).capitalize() + "."
        for _ in range(rng.randint(1, 6))
    ]
    path = folder / f"report-{number:03d}.txt"
    header = f"Report {number}\n\nThe code word of report {number} is {code_word(number, version)}.\n\n"
    path.write_text(header + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path
