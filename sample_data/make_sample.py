"""Regenerate sample_data/leads.xlsx, the example campaign's sheet (deterministic).

python sample_data/make_sample.py
"""

import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

FIRST = [
    "Anna",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elif",
    "Farah",
    "Gustavo",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
]
LAST = [
    "Ahmed",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "López",
    "Müller",
    "Novak",
    "O'Brien",
    "Patel",
    "Rossi",
    "Silva",
]
COMPANIES = [
    "Northwind",
    "Acme Robotics",
    "Bluefin Labs",
    "Cobalt Health",
    "Dunmore & Co",
    "Evergreen AI",
    "Fjord Logistics",
    "Granite Capital",
    "Helios Energy",
    "",
]
TITLES = ["Founder", "CEO", "CTO", "Co-founder", "Head of Growth", "VP Sales"]
HEADERS = [
    "First Name",
    "Last Name",
    "Company",
    "Title",
    "recipientProfileId",
    "profileUrl",
    "recipientProfileUrn",
    "groupId",
    "messageType",
]


def urn(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "urn:li:fsd_profile:ACoAA" + "".join(rng.choice(alphabet) for _ in range(30))


def main() -> None:
    rng = random.Random(7)
    rows = []

    def person(i: int) -> list[str]:
        first = rng.choice(FIRST) if i % 23 else ""  # some first names are empty
        last = rng.choice(LAST)
        return [first, last, rng.choice(COMPANIES), rng.choice(TITLES)]

    def slug(cells: list[str], i: int) -> str:
        base = f"{cells[0] or 'member'}-{cells[1]}".lower().replace("'", "")
        return base.encode("ascii", "ignore").decode().replace(" ", "-") + f"-{1000 + i}"

    for i in range(150):  # public profile IDs, regular messages
        cells = person(i)
        rows.append(cells + [slug(cells, i), "", "", "", ""])
    for i in range(150, 175):  # profile URLs in the forms people paste them
        cells = person(i)
        forms = [
            "https://www.linkedin.com/in/{}/",
            "https://linkedin.com/in/{}?utm_source=share",
            "www.linkedin.com/in/{}",
        ]
        rows.append(cells + ["", forms[i % 3].format(slug(cells, i)), "", "", ""])
    for i in range(175, 185):  # URNs
        rows.append(person(i) + ["", "", urn(rng), "", ""])
    for i in range(185, 225):  # group context: URN + group
        rows.append(person(i) + ["", "", urn(rng), "9876543", ""])
    cells = person(300)
    rows.append(cells + [slug(cells, 300), "", "", "", "inmail"])  # an InMail
    rows.append(person(301) + ["invalid-profile-id", "", "", "", ""])  # the API answers 404
    rows.append(person(302) + ["", "", "urn:li:fsd_profile:ACoAAFORBIDDENxx", "9876543", ""])  # 403
    rows.append(person(303) + ["", "", "", "", ""])  # no recipient: invalid
    rows.append(list(rows[10]))  # the same person twice: duplicate

    wb = Workbook()
    ws = wb.active
    ws.title = "Leads"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        ws.append(row)
    for letter, width in zip("ABCDEFGHI", [12, 12, 16, 14, 28, 44, 52, 10, 12]):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("Notes")
    notes.append(["This sheet is left alone by campaign-runner."])
    wb.save(Path(__file__).with_name("leads.xlsx"))


if __name__ == "__main__":
    main()
