"""Markup found in XML bytes with XML's own boundaries, and text escaped as Excel reads it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from runner.sheet.xmlscan import (
    TOKEN,
    Damaged,
    attributes,
    cell_text,
    drop_attribute,
    excel_text,
    namespaces,
    set_attribute,
    text_element,
    tokens,
)


def kinds(data: bytes) -> list[tuple[str, bytes]]:
    found = []
    for token in tokens(data, 0, "test"):
        kind = next(k for k in ("comment", "cdata", "pi", "end", "name") if token[k] is not None)
        found.append((kind, token[0]))
    return found


def test_tokens_keep_comments_cdata_and_quoted_gt_whole() -> None:
    data = (
        b'<?xml version="1.0"?><x:row r="1" a=\'x > y\' b="<!-- no"><!-- <c r="B1"/> -->'
        b"<x:c><x:t><![CDATA[</x:row> & <x:c>]]></x:t></x:c><x:c r='C1'/></x:row >"
    )
    assert kinds(data) == [
        ("pi", b'<?xml version="1.0"?>'),
        ("name", b'<x:row r="1" a=\'x > y\' b="<!-- no">'),
        ("comment", b'<!-- <c r="B1"/> -->'),
        ("name", b"<x:c>"),
        ("name", b"<x:t>"),
        ("cdata", b"<![CDATA[</x:row> & <x:c>]]>"),
        ("end", b"</x:t>"),
        ("end", b"</x:c>"),
        ("name", b"<x:c r='C1'/>"),
        ("end", b"</x:row >"),
    ]


def test_a_start_tag_cut_short_is_no_token() -> None:
    # A stream reader takes "no match" as "read more": a cut tag must never match.
    for cut in (b'<c r="A1"', b'<c r="A1" s="', b"<![CDATA[ab]]", b"<!-- a --", b"</row"):
        assert TOKEN.match(cut) is None


def test_tokens_refuse_what_is_not_markup() -> None:
    with pytest.raises(Damaged):
        list(tokens(b"<row><<c/></row>", 0, "row 1"))


def test_attributes_and_namespaces() -> None:
    tag = b'<x:row r="5" spans=\'1:3\' x14ac:dyDescent="0.25" xmlns:x="urn:main" xmlns="urn:d">'
    assert attributes(tag) == {
        b"r": b"5",
        b"spans": b"1:3",
        b"x14ac:dyDescent": b"0.25",
        b"xmlns:x": b"urn:main",
        b"xmlns": b"urn:d",
    }
    assert namespaces(tag) == {b"x": "urn:main", b"": "urn:d"}


def test_set_and_drop_attribute_change_only_that_attribute() -> None:
    tag = b'<row r="5" spans=\'1:3\' hidden="1">'
    assert set_attribute(tag, b"spans", "1:11") == b'<row r="5" spans=\'1:11\' hidden="1">'
    assert (
        set_attribute(tag, b"ref", 'a"b') == b'<row r="5" spans=\'1:3\' hidden="1" ref="a&quot;b">'
    )
    assert set_attribute(b'<c r="A1"/>', b"s", "3") == b'<c r="A1" s="3"/>'
    assert drop_attribute(tag, b"spans") == b'<row r="5" hidden="1">'
    assert drop_attribute(tag, b"missing") == tag


def parsed(element: bytes) -> str:
    return etree.fromstring(element).text or ""


def excel_reads(text: str) -> str:
    """What Excel shows for a string as stored: "_xHHHH_" is the character it encodes."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), text)


@given(st.text())
def test_cell_text_round_trips_as_excel_reads_it(value: str) -> None:
    element = text_element(b"t", cell_text(value))
    shown = excel_reads(parsed(element))
    expected = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "?", value)
    assert shown == expected
    assert (b'xml:space="preserve"' in element) == (expected != expected.strip(" \t\n\r"))


def test_cell_text_cases() -> None:
    assert text_element(b"t", "sent") == b"<t>sent</t>"
    assert text_element(b"x:t", " a<b>&c\r\n") == (
        b'<x:t xml:space="preserve"> a&lt;b&gt;&amp;c&#13;\n</x:t>'
    )
    assert text_element(b"t", "_x0041_") == b"<t>_x005F_x0041_</t>"
    assert cell_text("a\x00b\x1fc\ud800") == "a?b?c?"


def test_cell_text_is_capped_at_excels_length_in_utf16_units() -> None:
    assert len(cell_text("a" * 40000)) == 32767
    emoji = cell_text("😀" * 20000)  # two UTF-16 units each, as Excel counts them
    assert emoji == "😀" * 16383


def test_excel_text_reads_escapes() -> None:
    assert excel_text("line_x000a_break") == "line\nbreak"
    assert excel_text("plain") == "plain"
