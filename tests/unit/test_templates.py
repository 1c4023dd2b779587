"""Templates: what a message looks like, and the usual mistakes caught before any row is sent."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from runner.errors import TemplateError
from runner.rows import read_layout, read_row
from runner.sheet import SheetRow, Table
from runner.templatecheck import SingleBraces, find_single_braces
from runner.templates import RowProblem, Templates, load_templates

HEADERS = ("First Name", "Company", "companyName", "profileId")


def load(
    tmp_path: Path,
    message: str,
    subject: str | None = None,
    headers: tuple[str, ...] = HEADERS,
    **others: str,
) -> Templates:
    """The templates, checked against a sheet with these headers; `others` are more files
    beside them (included ones)."""
    for name, text in {"m.j2": message, **others}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    subject_path = None
    if subject is not None:
        subject_path = tmp_path / "s.j2"
        subject_path.write_text(subject, encoding="utf-8")
    return load_templates(tmp_path / "m.j2", subject_path, layout(headers), "leads.csv")


def layout(headers: tuple[str, ...] = HEADERS):
    return read_layout(table(headers, []))


def table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> Table:
    return Table(
        path=Path("leads.csv"),
        kind="csv",
        sheet_name=None,
        headers=headers,
        rows=tuple(SheetRow(i + 2, cells) for i, cells in enumerate(rows)),
    )


def render(templates: Templates, *cells: str, headers: tuple[str, ...] = HEADERS) -> str:
    sheet = table(headers, [cells])
    return templates.render(read_row(templates.layout, sheet, sheet.rows[0])).message


def refusal(tmp_path: Path, message: str, **others: str) -> str:
    with pytest.raises(TemplateError) as info:
        load(tmp_path, message, **others)
    return str(info.value)


# Blocks do not leave blank lines.

LETTER = """\
Hi {{ first_name }},
{# say where we met #}
{% if company %}
    Great to meet the {{ company }} team.
{% else %}
    Great to meet you.
{% endif %}

Best,
Sam"""


def test_a_line_holding_only_tags_or_a_comment_leaves_nothing(tmp_path):
    templates = load(tmp_path, LETTER)
    assert render(templates, "Ann", "Acme", "", "ann") == (
        "Hi Ann,\n    Great to meet the Acme team.\n\nBest,\nSam"
    )
    assert render(templates, "Bo", "", "", "bo") == "Hi Bo,\n    Great to meet you.\n\nBest,\nSam"


def test_a_tag_inside_a_line_of_text_keeps_the_line_break_and_indent(tmp_path):
    # Jinja's trim_blocks would glue "at Acme" to "was great"; lstrip_blocks would eat the indent.
    templates = load(
        tmp_path,
        "Your post{% if company %} at {{ company }}{% endif %}\n"
        "was great.\n"
        "  {% if company %}Say hi to {{ company }}.{% endif %}\n"
        "Sam",
    )
    assert render(templates, "Ann", "Acme", "", "ann") == (
        "Your post at Acme\nwas great.\n  Say hi to Acme.\nSam"
    )
    assert render(templates, "Bo", "", "", "bo") == "Your post\nwas great.\n  \nSam"


def test_an_include_keeps_its_line_and_the_included_file_follows_the_same_rule(tmp_path):
    templates = load(
        tmp_path,
        "Hi {{ first_name }},\n{% include 'sig.j2' %}\nP.S. {{ company }}",
        **{"sig.j2": "{# the signature #}\n{% if company %}\nBest,\n{% endif %}\nSam\n"},
    )
    assert render(templates, "Ann", "Acme", "", "ann") == "Hi Ann,\nBest,\nSam\nP.S. Acme"


# An empty cell compared with ''.


@pytest.mark.parametrize(
    ("template", "empty", "filled"),
    [
        ("{% if company != '' %}at {{ company }}{% else %}-{% endif %}", "-", "at Acme"),
        ("{% if company == '' %}-{% else %}at {{ company }}{% endif %}", "-", "at Acme"),
        ("{% if row['Company'] != '' %}at {{ company }}{% else %}-{% endif %}", "-", "at Acme"),
        ("{% if company == 'Acme' %}hello Acme{% else %}-{% endif %}", "-", "hello Acme"),
        ("{% if company in ['Acme', 'Bolt'] %}a client{% else %}-{% endif %}", "-", "a client"),
    ],
)
def test_an_empty_cell_compares_as_empty_text(tmp_path, template, empty, filled):
    templates = load(tmp_path, template)
    assert render(templates, "Bo", "", "", "bo") == empty
    assert render(templates, "Ann", "Acme", "", "ann") == filled


def test_an_empty_cell_printed_without_a_default_still_fails_the_row(tmp_path):
    templates = load(tmp_path, "{% if company == '' %}{{ company }}{% endif %}")
    with pytest.raises(RowProblem, match=r"^Company is empty \(used by m.j2 without a default\)"):
        render(templates, "Bo", "", "", "bo")


# Column names.


def test_a_header_written_as_a_name_is_usable_as_written_and_folded(tmp_path):
    assert layout().names == {
        "Company": "Company",
        "companyName": "companyName",
        "profileId": "profileId",
        "first_name": "First Name",
        "company": "Company",
        "companyname": "companyName",
        "profileid": "profileId",
    }
    templates = load(tmp_path, "{{ companyName }}, {{ companyname }}, {{ Company }}")
    assert render(templates, "Ann", "Acme", "Acme Inc", "ann") == "Acme Inc, Acme Inc, Acme"
    with pytest.raises(RowProblem, match=r"^companyName is empty "):
        render(templates, "Ann", "Acme", "", "ann")


def test_a_misspelt_name_suggests_the_one_written_most_like_it(tmp_path):
    assert refusal(tmp_path, "Hi\n{{ compnay }}") == (
        "m.j2: line 2: uses 'compnay', which is not a column of leads.csv (did you mean 'company'?)"
    )
    assert refusal(tmp_path, "{{ CompanyNme }}").endswith("(did you mean 'companyName'?)")


@pytest.mark.parametrize(
    ("template", "error"),
    [
        (
            "Hi {{ First Name }},",
            "m.j2: line 1: the column 'First Name' has a space, so Jinja cannot read it as a "
            "name; write {{ first_name }} or {{ row['First Name'] }}",
        ),
        (
            "Hi,\n{% if first name %}x{% endif %}",
            "m.j2: line 2: the column 'First Name' has a space, so Jinja cannot read it as a "
            "name; write {{ first_name }} or {{ row['First Name'] }}",
        ),
        (
            "{{ 2nd Company }}",
            "m.j2: line 1: the column '2nd Company' has a space, so Jinja cannot read it as a "
            "name; write {{ row['2nd Company'] }}",
        ),
        ("Hi {{ First Nam }}", "m.j2: line 1: expected token 'end of print statement', got 'Nam'"),
    ],
    ids=["print", "if", "no-plain-name", "not-a-column"],
)
def test_a_header_with_a_space_written_as_a_name(tmp_path, template, error):
    with pytest.raises(TemplateError) as info:
        load(tmp_path, template, headers=(*HEADERS, "2nd Company"))
    assert str(info.value) == error


# Mistakes that Jinja would only meet row by row are found at load.


@pytest.mark.parametrize(
    ("template", "error"),
    [
        (
            "Hi\n{% if company %}{{ company | uper }}{% endif %}",
            "m.j2: line 2: there is no filter named 'uper' (did you mean 'upper'?)",
        ),
        (
            "{% if company %}{{ company | yell }}{% endif %}",
            "m.j2: line 1: there is no filter named 'yell'; the filters are listed at "
            "https://jinja.palletsprojects.com/en/stable/templates/#list-of-builtin-filters",
        ),
        (
            "{{ company | yell }}",
            "m.j2: line 1: there is no filter named 'yell'; the filters are listed at "
            "https://jinja.palletsprojects.com/en/stable/templates/#list-of-builtin-filters",
        ),
        (
            "{% filter yell %}hi{% endfilter %}",
            "m.j2: line 1: there is no filter named 'yell'; the filters are listed at "
            "https://jinja.palletsprojects.com/en/stable/templates/#list-of-builtin-filters",
        ),
        (
            "{% if company is present %}x{% endif %}",
            "m.j2: line 1: there is no test named 'present'; the tests are listed at "
            "https://jinja.palletsprojects.com/en/stable/templates/#list-of-builtin-tests",
        ),
        (
            "Hi\n\n{% if nickname %}{{ nickname }}{% endif %}",
            "m.j2: line 3: uses 'nickname', which is not a column of leads.csv",
        ),
    ],
    ids=["filter-in-if", "no-suggestion", "filter", "filter-block", "test", "name-in-if"],
)
def test_unknown_filters_tests_and_names_are_campaign_errors(tmp_path, template, error):
    assert refusal(tmp_path, template) == error


@pytest.mark.parametrize(
    ("files", "error"),
    [
        (
            {"sig.j2": "Best,\n{{ first_name }} from {{ compnay }}"},
            "sig.j2: line 2: uses 'compnay', which is not a column of leads.csv "
            "(did you mean 'company'?)",
        ),
        (
            {"sig.j2": "{% include 'inner.j2' %}", "inner.j2": "{{ company | yell }}"},
            "inner.j2: line 1: there is no filter named 'yell'; the filters are listed at "
            "https://jinja.palletsprojects.com/en/stable/templates/#list-of-builtin-filters",
        ),
        ({"sig.j2": "Hi {{ First Name }}"}, "sig.j2: line 1: the column 'First Name' has a "),
        ({"sig.j2": "{{ row['Compny'] }}"}, "sig.j2: line 1: uses row['Compny'], which is not "),
        ({}, "m.j2: line 2: includes 'sig.j2', which is not a file in "),
    ],
    ids=["name", "nested-filter", "spaced-name", "row-key", "missing"],
)
def test_included_files_are_checked_at_load(tmp_path, files, error):
    assert refusal(tmp_path, "Hi\n{% include 'sig.j2' %}", **files).startswith(error)


def test_included_files_may_include_each_other_or_be_optional(tmp_path):
    templates = load(
        tmp_path,
        "{% include 'a.j2' %} {% include 'none.j2' ignore missing %}",
        **{
            "a.j2": "A{% if false %}{% include 'b.j2' %}{% endif %}",
            "b.j2": "{% include 'a.j2' %}",
        },
    )
    assert render(templates, "Ann", "Acme", "", "ann") == "A"


def test_an_included_file_sees_the_names_the_including_one_sets(tmp_path):
    templates = load(
        tmp_path,
        "{% set greeting = 'Hello' %}{% for n in [1] %}{% include 'a.j2' %}{% endfor %}",
        **{"a.j2": "{{ greeting }} {{ n }}, {{ first_name }}"},
    )
    assert render(templates, "Ann", "Acme", "", "ann") == "Hello 1, Ann"


# Single braces left in the text.


def test_single_braces_are_found_with_their_lines():
    source = (
        "Hi {first_name},\n"
        "{{ first_name }} {{ '{quoted}' }} {# {commented} #}\n"
        "{% if company %}at { Company Name }{% endif %}\n"
        "{} {123} {first_name}}"
    )
    found = find_single_braces(source, "m.j2")
    assert found == (
        SingleBraces("m.j2", 1, "{first_name}"),
        SingleBraces("m.j2", 3, "{ Company Name }"),
        SingleBraces("m.j2", 4, "{first_name}"),
    )
    assert str(found[0]) == (
        "m.j2: line 1: {first_name} has single braces, so it is sent as written; "
        "write {{ first_name }} to fill it in"
    )
    assert found[1].fix == "{{ row['Company Name'] }}"


def test_templates_carry_the_single_braces_of_every_file(tmp_path):
    templates = load(
        tmp_path,
        "Hi {first_name},\n{% include 'sig.j2' %}",
        subject="For {company}",
        **{"sig.j2": "\n\n{sender}"},
    )
    assert [(b.template, b.line, b.text) for b in templates.single_braces] == [
        ("m.j2", 1, "{first_name}"),
        ("sig.j2", 3, "{sender}"),
        ("s.j2", 1, "{company}"),
    ]
    assert load(tmp_path, "Hi {{ first_name }}").single_braces == ()


@pytest.mark.parametrize(
    "headers",
    [
        ("first_name", "company", "profile_url", "notes"),  # snake_case: the values as they are
        ("first_name", "company", "profile_url", "row"),  # `row` is the row, never a column
        ("first_name", "company", "profile_url", "Notes"),  # `notes` too: named two ways
    ],
)
def test_a_rows_context_is_the_same_however_it_is_built(tmp_path, headers):
    """Where every column's name is its header, a row's values are its context as they are
    (quicker); the context must be exactly the one built name by name."""
    last = headers[-1]
    templates = load(
        tmp_path,
        "{{ first_name }} at {{ company }}: {{ row['" + last + "'] }}"
        "{% for k in row %}|{{ k }}{% endfor %}{{ range(2)|list }}",
        headers=headers,
    )
    assert templates._plain is (headers[-1] == "notes")
    cells = ("Ann", "Acme", "https://www.linkedin.com/in/ann-lee", "hello")
    general = replace(templates, single_braces=templates.single_braces)
    object.__setattr__(general, "_plain", False)
    assert render(templates, *cells, headers=headers) == render(general, *cells, headers=headers)
    assert render(templates, *cells, headers=headers).startswith("Ann at Acme: hello|")


# A row's context holds only the columns the templates read: every way a template reads one.

CELLS = ("Ann", "Acme", "Acme Inc", "ann-lee")  # First Name, Company, companyName, profileId


@pytest.mark.parametrize(
    ("message", "files", "expected"),
    [
        ("{{ first_name }}", {}, "Ann"),
        # A column read only in an included file, or a file that file includes.
        ("{{ first_name }} {% include 'sig.j2' %}", {"sig.j2": "{{ company }}"}, "Ann Acme"),
        (
            "{% include 'a.j2' %}",
            {"a.j2": "{% include 'b.j2' %}", "b.j2": "{{ companyName }}"},
            "Acme Inc",
        ),
        # Only in a macro, a block, an imported macro, a {% set %} block.
        ("{% macro m() %}{{ company }}{% endmacro %}{{ m() }}", {}, "Acme"),
        (
            "{% import 'mac.j2' as mac with context %}{{ mac.co() }}",
            {"mac.j2": "{% macro co() %}{{ company }}{% endmacro %}"},
            "Acme",
        ),
        (
            "{% extends 'base.j2' %}{% block b %}{{ company }}{% endblock %}",
            {"base.j2": "{{ first_name }}: {% block b %}{% endblock %}"},
            "Ann: Acme",
        ),
        ("{% set s %}{{ company }}{% endset %}{{ s }}", {}, "Acme"),
        # A {% set %} of the same name that may not run: the column is read where it does not.
        ("{% if false %}{% set company = 'X' %}{% endif %}{{ company }}", {}, "Acme"),
        ("{% set company = 'X' %}{% include 'sig.j2' %}", {"sig.j2": "{{ company }}"}, "X"),
        # Through `row`, by header or by a key worked out per row: every column.
        ("{{ row['Company'] }}", {}, "Acme"),
        ("{% for k in row %}{{ k[0] }}{% endfor %}", {}, "FCcp"),
        ("{% set k = 'company' ~ 'Name' %}{{ row[k] }}", {}, "Acme Inc"),
        # A file included by a name worked out per row may read any column.
        ("{% include first_name ~ '.j2' %}", {"Ann.j2": "{{ companyName }}"}, "Acme Inc"),
    ],
)
def test_a_row_renders_whichever_way_its_templates_read_a_column(
    tmp_path, message, files, expected
):
    templates = load(tmp_path, message, **files)
    assert render(templates, *CELLS) == expected


def test_a_rows_context_holds_only_the_columns_its_templates_read(tmp_path):
    """Most templates read a few of a sheet's columns: a row's context is built of those."""
    templates = load(
        tmp_path, "{{ first_name }}{% include 'sig.j2' %}", "{{ companyName }}", **{"sig.j2": "x"}
    )
    assert templates._columns == ((0, "First Name"), (2, "companyName"))
    assert load(tmp_path, "{{ row.Company }}")._columns is None  # `row`: every column
    assert load(tmp_path, "{% include first_name %}")._columns is None
