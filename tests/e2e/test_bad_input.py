"""Bad input: one clear line naming the file (and row and column), exit 2, nothing sent, the
input left byte for byte as it was. Rows that cannot be sent are `invalid` with the reason, and
the rest of the campaign goes on."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from runner.cli import main
from tests.support.campaign import API_KEY, make_campaign, people

HEADER = "First Name,Company,recipientProfileId\n"


def run_expecting_2(api, files, capsys) -> str:
    before = {p: p.read_bytes() for p in files.dir.iterdir() if p.is_file()}
    assert api.run(files) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert api.sim.received == []
    assert {p: p.read_bytes() for p in files.dir.iterdir() if p.is_file()} == before
    return err.removeprefix("campaign-runner: ").rstrip("\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "leads.csv: is empty"),
        (HEADER.encode(), "leads.csv: has a header but no data rows"),
        (
            b"First Name,Company\nAnn,Acme\n",
            "leads.csv: no recipient column; add one of recipientProfileId, profileUrl or "
            "recipientProfileUrn (found: 'First Name', 'Company')",
        ),
        (
            b"First Name,Company,recipientProfileId,first_name\nAnn,Acme,ann,x\n",
            "leads.csv: columns A ('First Name') and D ('first_name') both give the name "
            "first_name, and message.txt.j2 uses it; write row['First Name'] or "
            "row['first_name'] instead, or rename one of them",
        ),
        (
            b"Leads export Q4\n\nFirst Name,recipientProfileId\nAnn,ann\n",
            "leads.csv: row 1 holds only 'Leads export Q4' but row 3 has more columns, so the "
            "header seems to be on row 3: set header_row = 3 in the campaign file",
        ),
        (
            b"Exported,2026-01-01\n\nFirst Name,recipientProfileId\nAnn,ann\n",
            "leads.csv: row 3 looks like the header (it has 'recipientProfileId'), not row 1; "
            "set header_row = 3 in the campaign file",
        ),
    ],
    ids=[
        "empty",
        "header-only",
        "no-recipient-column",
        "duplicate-headers",
        "title-line",
        "header-further-down",
    ],
)
def test_sheet_errors(tmp_path, api, capsys, content, message):
    files = make_campaign(tmp_path, [])
    files.sheet.write_bytes(content)
    assert run_expecting_2(api, files, capsys) == message


def test_missing_sheet_file(tmp_path, api, capsys):
    files = make_campaign(tmp_path, people(1))
    files.sheet.unlink()
    assert run_expecting_2(api, files, capsys).startswith(
        "campaign.toml: sheet: leads.csv does not exist (looked for "
    )


def test_wrong_sheet_name(tmp_path, api, capsys):
    files = make_campaign(
        tmp_path, people(1), sheet_name="leads.xlsx", extra='sheet_name = "Prospects"'
    )
    assert run_expecting_2(api, files, capsys) == (
        'leads.xlsx: no sheet named "Prospects"; the leads seem to be on sheet "Sheet": set '
        'sheet_name = "Sheet" in the campaign file (its sheets: "Sheet")'
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Hi {{ first_name }\n", "message.txt.j2: line 1: unexpected '}'"),
        (
            "Hi {{ frist_name }}",
            "message.txt.j2: line 1: uses 'frist_name', which is not a column of "
            "leads.csv (did you mean 'first_name'?)",
        ),
        (
            "{{ row['Compnay'] }}",
            "message.txt.j2: line 1: uses row['Compnay'], which is not a "
            "column of leads.csv (did you mean 'Company'?)",
        ),
    ],
)
def test_template_errors(tmp_path, api, capsys, template, message):
    files = make_campaign(tmp_path, people(2), message=template)
    assert run_expecting_2(api, files, capsys) == message


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("sheet = [\n", "campaign.toml: TOML syntax error: "),
        (
            'sheet = "leads.csv"\nmessage_template = "message.txt.j2"\ntimeout = 3\n',
            "campaign.toml: unknown key 'timeout'",
        ),
        (
            'sheet = "leads.csv"\nmessage_template = "message.txt.j2"\n[pacing]\nmin_delay = "5"\n',
            "campaign.toml: min_delay in [pacing] must be a number, not a string",
        ),
        ('sheet = "leads.csv"\n', "campaign.toml: missing required key 'message_template'"),
        (
            'sheet = "leads.csv"\nmessage_template = "nope.j2"\n',
            "campaign.toml: message_template: nope.j2 does not exist",
        ),
    ],
    ids=["syntax", "unknown-key", "wrong-type", "missing-key", "missing-path"],
)
def test_campaign_file_errors(tmp_path, api, capsys, toml, message):
    files = make_campaign(tmp_path, people(1))
    files.toml.write_text(toml, encoding="utf-8")
    assert run_expecting_2(api, files, capsys).startswith(message)


def test_missing_api_key(tmp_path, capsys):
    files = make_campaign(tmp_path, people(1))
    before = files.sheet.read_bytes()
    assert main(["run", str(files.toml)], env={}) == 2
    assert capsys.readouterr().err.startswith(
        "campaign-runner: CONNECTSAFELY_API_KEY is not set. Export your ConnectSafely API key"
    )
    assert files.sheet.read_bytes() == before


@pytest.mark.parametrize(
    ("cells", "template", "detail"),
    [
        (
            ["", "Acme", "ann"],
            "Hi {{ first_name }}",
            "First Name is empty (used by message.txt.j2 without a default)",
        ),
        (
            ["nan", "Acme", "ann"],
            "Hi {{ first_name }}",
            "First Name says 'nan', which counts as empty "
            "(used by message.txt.j2 without a default)",
        ),
        (
            ["Ann", "#REF!", "ann"],
            "Hi {{ first_name }} at {{ company }}",
            "Company says '#REF!', which counts as empty "
            "(used by message.txt.j2 without a default)",
        ),
        (
            ["Ann", "Acme", "ann"],
            "Hi {{ row.get('Nickname') if company == 'Acme' else first_name }}",
            "message.txt.j2: an expression renders None (no value); give it a default, e.g. "
            "{{ x | default('...', true) }}",
        ),
        (
            ["", "Acme", "ann"],
            "{{ first_name | default('', true) }}",
            "the message renders empty (message.txt.j2)",
        ),
        (
            ["Ann", "Acme", "ann"],
            "{{ 'x' * 8001 if company == 'Acme' else 'Hi' }}",
            "the message is 8001 characters; LinkedIn allows 8000",
        ),
        (
            ["Ann", "Acme", "urn:li:fsd_profile:"],
            "Hi",
            "recipientProfileId 'urn:li:fsd_profile:' is a URN, not a public profile ID; put it in "
            "a recipientProfileUrn column",
        ),
    ],
    ids=["empty-cell", "nan", "excel-error", "none", "empty-message", "too-long", "malformed-id"],
)
def test_rows_that_cannot_be_sent_are_invalid_and_the_rest_goes_on(
    tmp_path, api, cells, template, detail
):
    files = make_campaign(
        tmp_path, [], headers=["First Name", "Company", "recipientProfileId"], message=template
    )
    files.sheet.write_text(HEADER + ",".join(cells) + "\nBo,Bolt,bo-2\n", encoding="utf-8")
    assert api.run(files) == 0
    rows = files.rows()
    assert (rows[0]["status"], rows[0]["status_detail"]) == ("invalid", detail)
    assert rows[1]["status"] == "sent"
    assert [r.payload["recipientProfileId"] for r in api.sim.received] == ["bo-2"]


@pytest.mark.parametrize("placeholder", ["None", "NULL", "#N/A", "N/A", "#NAME?", " nan "])
def test_placeholder_cells_count_as_empty(tmp_path, api, placeholder):
    files = make_campaign(
        tmp_path, [[placeholder, "Acme", "ann", "", ""]], message="Hi {{ first_name }}"
    )
    assert api.run(files) == 0
    assert files.rows()[0]["status"] == "invalid"
    assert api.sim.received == []


def test_inmail_subject_over_the_limit(tmp_path, api):
    files = make_campaign(
        tmp_path,
        [],
        headers=["First Name", "recipientProfileId", "messageType"],
        message="Hi",
        subject="{{ 'S' * 201 }}",
    )
    files.sheet.write_text(
        "First Name,recipientProfileId,messageType\nAnn,ann,inmail\n", encoding="utf-8"
    )
    assert api.run(files) == 0
    assert files.rows()[0]["status_detail"] == "the subject is 201 characters; LinkedIn allows 200"


def test_awkward_but_valid_sheets_are_read_right(tmp_path, api):
    """cp1252, semicolons, quoted newlines, whitespace, URL forms: all read as the user meant."""
    files = make_campaign(tmp_path, [], headers=["x"], message="Hi {{ first_name }}")
    text = (
        "First Name;profileUrl\r\n"
        "Renée;https://www.linkedin.com/in/renee-1/?trk=share\r\n"
        '"Zoë\r\nand Bo";  https://linkedin.com/in/zoe-2/  \r\n'
    )
    files.sheet.write_bytes(text.encode("cp1252"))
    assert api.run(files) == 0
    assert [r.payload for r in api.sim.received] == [
        {"recipientProfileId": "renee-1", "message": "Hi Renée"},
        {"recipientProfileId": "zoe-2", "message": "Hi Zoë\r\nand Bo"},
    ]
    assert (
        files.sheet.read_bytes()
        .decode("cp1252")
        .startswith(
            "First Name;profileUrl;status;status_detail;sent_at;recipient_urn;status_for\r\n"
        )
    )


def test_tab_separated(tmp_path, api):
    files = make_campaign(tmp_path, [], headers=["x"], message="Hi {{ first_name }}")
    files.sheet.write_text("First Name\tprofileId\nAnn\tann-1\n", encoding="utf-8")
    assert api.run(files) == 0
    assert api.delivered_to() == ["ann-1"]


def test_excel_numbers_dates_and_leading_zeros_are_read_as_shown(tmp_path, api):
    files = make_campaign(
        tmp_path, [], sheet_name="leads.xlsx", message="Hi {{ first_name }}, met {{ met }}"
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["First Name", "recipientProfileUrn", "groupId", "met", "recipientProfileId"])
    sheet.append(["Ann", "urn:li:fsd_profile:ACoAAx1", 12345678, dt.date(2026, 1, 15), ""])
    sheet.append(["Bo", "", 98765432.0, dt.datetime(2026, 2, 1, 9, 30), "00041"])
    sheet.append(["Cy", "", "", 7, 42])
    sheet["E4"].number_format = "00000"
    sheet["D2"].number_format = "yyyy-mm-dd"
    book.save(files.sheet)
    assert api.run(files) == 0
    payloads = [r.payload for r in api.sim.received]
    assert payloads[0] == {
        "recipientProfileUrn": "urn:li:fsd_profile:ACoAAx1",
        "groupId": "12345678",
        "message": "Hi Ann, met 2026-01-15",
    }
    # Bo's group ID goes to /message with a public ID (send-group needs a URN).
    assert payloads[1] == {
        "recipientProfileId": "00041",
        "groupId": "98765432",
        "message": "Hi Bo, met 2026-02-01 9:30:00",
    }
    assert payloads[2] == {"recipientProfileId": "00042", "message": "Hi Cy, met 7"}


def test_key_is_never_needed_for_a_user_error(tmp_path, capsys):
    files = make_campaign(tmp_path, people(1), message="{{ nope }}")
    assert main(["run", str(files.toml)], env={"CONNECTSAFELY_API_KEY": API_KEY}) == 2
    assert "nope" in capsys.readouterr().err


def test_a_sheet_that_cannot_take_statuses_stops_before_any_send(tmp_path, api, capsys):
    files = make_campaign(tmp_path, [], sheet_name="leads.xlsx")
    book = Workbook()
    book.active.append(["First Name", "Company", "recipientProfileId"])
    book.active.append(["Ann", "Acme", "ann-1"])
    book.active.merge_cells("D2:E2")  # where the status columns go
    book.save(files.sheet)
    before = files.sheet.read_bytes()
    assert api.run(files, "--dry-run") == 2  # the dry run finds it too, not only the run
    assert "leads.xlsx: row 2: cell D2 is part of merged cells" in capsys.readouterr().err
    assert api.run(files) == 2
    err = capsys.readouterr().err
    assert "leads.xlsx: row 2: cell D2 is part of merged cells" in err
    assert err.rstrip().endswith("nothing was sent")
    assert api.sim.received == [] and files.sheet.read_bytes() == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('output = "out"', "campaign.toml: output: out is a folder; name a file"),
        ("[api]\ntimeout = nan", "campaign.toml: timeout must be a finite number, not nan"),
        (
            "[pacing]\nmax_delay = inf",
            "campaign.toml: max_delay in [pacing] must be a finite number, not inf",
        ),
    ],
)
def test_settings_that_would_fail_mid_run_are_refused_up_front(
    tmp_path, api, capsys, extra, message
):
    (tmp_path / "out").mkdir()
    files = make_campaign(tmp_path, people(1))
    text = files.toml.read_text()
    if extra.startswith("[pacing]"):
        text = text.replace("max_delay = 0", extra.split("\n")[1])
    else:
        text = text.replace("[pacing]", extra + "\n[pacing]", 1)
    files.toml.write_text(text, encoding="utf-8")
    assert run_expecting_2(api, files, capsys) == message


def test_without_sheet_name_the_first_visible_sheet_is_read(tmp_path, api):
    files = make_campaign(tmp_path, [], sheet_name="leads.xlsx")
    book = Workbook()
    old = book.active
    old.title, old.sheet_state = "Old", "hidden"
    old.append(["recipientProfileId"])
    old.append(["old-1"])
    leads = book.create_sheet("Leads")
    leads.append(["First Name", "Company", "recipientProfileId"])
    leads.append(["Ann", "Acme", "ann-1"])
    book.active = 1
    book.save(files.sheet)
    assert api.run(files) == 0
    assert api.delivered_to() == ["ann-1"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            'First Name,Company,recipientProfileId\nAnn,Acme,ann\n"Gus,Acme,gus\nHal,Acme,hal\n',
            'leads.csv: row 3: a quote (") opens a cell that is never closed, so every line '
            "after it would read as one cell; remove the stray quote or close it",
        ),
        (
            'First Name,Company,recipientProfileId\n"Ann"x,Acme,ann\n',
            'leads.csv: row 2: text follows the closing quote (") of a cell; quote the whole '
            "cell or remove the stray quote",
        ),
    ],
    ids=["unclosed-quote", "text-after-quote"],
)
def test_stray_quotes_are_refused(tmp_path, api, capsys, data, message):
    files = make_campaign(tmp_path, [])
    files.sheet.write_text(data, encoding="utf-8")
    assert run_expecting_2(api, files, capsys) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "First Name,Company,recipientProfileId\nŁukasz,Acme,lukasz\n".encode("cp1250"),
            "leads.csv: is not UTF-8, and read as Windows-1252 line 2 gives '£ukasz,Acme,', "
            "which looks garbled (another encoding, such as Central European?). Save the file "
            "as CSV UTF-8 and run again",
        ),
        (
            "First Name,Company,recipientProfileId\nZoë,Acme,zoe\n".encode()
            + "Renée,Acme,renee\n".encode("cp1252"),
            "leads.csv: line 3 is not UTF-8 while other lines are: the file mixes two "
            "encodings. Open it in a spreadsheet and save it as CSV UTF-8",
        ),
        (
            # Excel for Mac's "CSV (Macintosh)": Mac Roman, lines ended by a lone CR.
            "First Name,Company,recipientProfileId\rJosé,Müller GmbH,jose\r".encode("mac_roman"),
            'leads.csv: is Mac Roman text (Excel for Mac\'s "CSV (Macintosh)"), not UTF-8: line '
            "2's 'José' would read as 'JosŽ'. Save it as CSV UTF-8 (Excel: Save As, \"CSV UTF-8 "
            '(Comma delimited)") and run again',
        ),
    ],
    ids=["cp1250", "mixed", "mac-roman"],
)
def test_text_that_would_be_garbled_is_refused(tmp_path, api, capsys, data, message):
    files = make_campaign(tmp_path, [])
    files.sheet.write_bytes(data)
    assert run_expecting_2(api, files, capsys) == message


@pytest.mark.parametrize(
    "company",
    ["Fondateur du «\xa0Café\xa0»", "„Weiß“ GmbH", "Office of 120 m²", "Raised £m, £bn"],
)
def test_windows_text_that_only_looks_odd_is_not_refused(tmp_path, api, company):
    files = make_campaign(tmp_path, [], message="Hi {{ first_name }} at {{ company }}")
    text = f'First Name,Company,recipientProfileId\nAnn,"{company}",ann\n'
    files.sheet.write_bytes(text.encode("cp1252"))
    assert api.run(files) == 0
    assert api.sim.received[0].payload["message"] == f"Hi Ann at {company}"


def test_a_semicolon_file_with_long_quoted_cells(tmp_path, api):
    """The delimiter is found even where the sample read for it ends inside a quoted cell."""
    files = make_campaign(tmp_path, [], message="Hi {{ first_name }}")
    lines = ["recipientProfileId;first_name;about"]
    for i in range(60):
        about = f"I build things, ship them; line {i}.\n" * 40
        lines.append(f'person-{i};Name{i};"{about}"')
    files.sheet.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert len(files.sheet.read_bytes()) > 65536
    assert api.run(files) == 0
    assert len(api.sim.delivered()) == 60


def test_western_european_windows_text_is_read_right(tmp_path, api):
    files = make_campaign(tmp_path, [], message="Hi {{ first_name }} at {{ company }}")
    text = "First Name,Company,recipientProfileId\nRenée,„Straße“ & Söhne €,renee\n"
    files.sheet.write_bytes(text.encode("cp1252"))
    assert api.run(files) == 0
    assert api.sim.received[0].payload["message"] == "Hi Renée at „Straße“ & Söhne €"
    assert files.sheet.read_bytes().decode("cp1252").startswith(text.split("\n")[0] + ",status")
