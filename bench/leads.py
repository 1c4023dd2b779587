"""Leads as a lead tool exports them: 12 columns of names, companies, titles, profile URLs in
the forms people paste, emails, cities with postcodes that start with zeros, dates and numbers,
and a notes column mostly empty. The same rows for a seed, as CSV here and as an Excel-style
workbook in `workbook.py`, and the message the campaigns send."""

from __future__ import annotations

import csv
import random
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

HEADER = (
    "first_name",
    "last_name",
    "company",
    "title",
    "profile_url",
    "email",
    "city",
    "postcode",
    "joined",
    "score",
    "employees",
    "notes",
)
FIRST = (
    "Ann", "Bob", "Cyrille", "Dee", "Émile", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kofi",
    "Lena", "Mateo", "Nadia", "Olu", "Priya", "Quentin", "Rosa", "Søren", "Tomás", "Uma", "Wei",
)  # fmt: skip
LAST = (
    "Smith", "Ng", "Okafor", "Müller", "García", "Ito", "Berg", "Nowak", "Silva", "Khan",
    "O'Brien", "Dubois", "Kowalczyk", "Rossi", "Andersen", "Yılmaz", "Park", "van der Berg",
)  # fmt: skip
COMPANY_WORDS = (
    "Nordwind", "Acme", "Blue Harbor", "Quantix", "Helio", "Brightpath", "Kestrel", "Lumen",
    "Polar", "Redwood", "Sable", "Tidewater", "Vertex", "Zephyr",
)  # fmt: skip
COMPANY_KINDS = (
    "Logistics GmbH", "Software, Inc.", "Analytics Ltd", "Health", "Robotics SA",
    "Capital Partners", "Foods & Co.", "Labs",
)  # fmt: skip
TITLES = (
    "Head of Sales", "CTO", "Founder & CEO", "VP Marketing", "Talent Acquisition Lead",
    "Senior Software Engineer", "Procurement Manager", "Director, Partnerships", "COO",
)  # fmt: skip
# (city, its postcode's first digits, how many digits postcodes have there)
CITIES = (
    ("Dresden", "01", 5), ("Berlin", "10", 5), ("Boston", "02", 5), ("Newark", "07", 5),
    ("Austin", "78", 5), ("Lyon", "69", 5), ("Oslo", "0", 4), ("Lagos", "10", 6),
    ("São Paulo", "01", 8), ("Osaka", "530", 7),
)  # fmt: skip
NOTES = (
    "Met at SaaStr, wants a demo",
    'Asked about the "Pro" plan',
    "Referred by Dana; follow up in Q3",
    "Downloaded the pricing guide",
)
FIRST_DAY = date(2018, 1, 1)
MESSAGE = """\
Hi {{ first_name }},

I saw that you are {{ title }} at {{ company }}{% if city %}, in {{ city }}{% endif %}.
{% if notes %}
{{ notes }}: would a short call next week suit you?
{% else %}
Would a short call next week suit you?
{% endif %}

Best,
Sam
"""


def leads(rows: int, seed: int = 1) -> Iterator[tuple[object, ...]]:
    """`rows` leads, each the 12 values of `HEADER`: text, a `date` (joined), a float (score),
    an int (employees), and the postcode as text with its leading zeros."""
    rnd = random.Random(seed)
    return (_lead(number, rnd) for number in range(rows))


def _lead(number: int, rnd: random.Random) -> tuple[object, ...]:
    first, last = rnd.choice(FIRST), rnd.choice(LAST)
    company = f"{rnd.choice(COMPANY_WORDS)} {rnd.choice(COMPANY_KINDS)}"
    city, prefix, digits = rnd.choice(CITIES)
    rest = digits - len(prefix)
    postcode = prefix + str(rnd.randrange(10**rest)).zfill(rest)
    # LinkedIn's own suffix is hex; this one is unique per row (an odd multiplier mod 2**32).
    slug = f"{_ascii(first)}-{_ascii(last)}-{number * 2654435761 % 2**32:08x}"
    domain = _ascii(company.split(" ")[0]) + ".example.com"
    return (
        first,
        last,
        company,
        rnd.choice(TITLES),
        _profile_url(slug, rnd),
        f"{_ascii(first)}.{_ascii(last)}@{domain}",
        city,
        postcode,
        date.fromordinal(FIRST_DAY.toordinal() + rnd.randrange(2500)),
        round(rnd.random() * 100, 1),
        rnd.choice((1, 8, 45, 250, 1200, 18000)) + rnd.randrange(10),
        rnd.choice(NOTES) if rnd.random() < 0.3 else "",
    )


def _profile_url(slug: str, rnd: random.Random) -> str:
    """Most as LinkedIn shows them; some as copied from a browser or another country's site."""
    pick = rnd.random()
    if pick < 0.7:
        return f"https://www.linkedin.com/in/{slug}"
    if pick < 0.85:
        return f"https://www.linkedin.com/in/{slug}/"
    if pick < 0.95:
        return f"https://de.linkedin.com/in/{slug}?originalSubdomain=de"
    return f"linkedin.com/in/{slug}"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def leads_csv(path: Path, rows: int, seed: int = 1) -> None:
    """Write the leads as a CSV the way a lead tool exports it: UTF-8, CRLF, quotes only where
    a cell needs them, dates as ISO dates."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(_texts(lead) for lead in leads(rows, seed))


def _texts(lead: tuple[object, ...]) -> tuple[str, ...]:
    return tuple(value.isoformat() if isinstance(value, date) else str(value) for value in lead)
