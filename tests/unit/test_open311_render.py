"""Open311 documents in XML and JSON: structure, escaping, characters XML cannot carry,
errors, and the language a client prefers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from adapters.open311.render import Open311Error, answer, error_answer, to_xml, xml_safe
from adapters.open311.texts import preferred_language


def test_lists_become_elements_named_by_the_spec() -> None:
    body = to_xml(
        "service_requests",
        [{"service_request_id": "a1", "lat": -5.4, "address": None, "closed": True}],
    )
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<service_requests>')
    root = ET.fromstring(body)
    [request] = root
    assert request.tag == "request"
    assert request.findtext("service_request_id") == "a1"
    assert request.findtext("lat") == "-5.4"
    assert request.find("address") is not None and request.findtext("address") == ""
    assert request.findtext("closed") == "true"
    definition = ET.fromstring(
        to_xml("service_definition", {"attributes": [{"values": [{"key": "ya"}]}]})
    )
    assert definition.find("attributes/attribute/values/value/key").text == "ya"


@pytest.mark.parametrize(
    "text",
    [
        "Sampah <b>menumpuk</b> & bau 'sekali' \"parah\"",
        "]]> <![CDATA[ x ]]>",
        "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>&a;",
        "Jalan rusak 🚧 di Banjarmasin — ‮ٱلطريق‬",
    ],
)
def test_text_is_escaped_and_comes_back_unchanged(text: str) -> None:
    root = ET.fromstring(to_xml("services", [{"description": text}]))
    assert root.find("service/description").text == text


def test_characters_xml_cannot_carry_are_dropped() -> None:
    text = "a\x00b\x01c\x0bd\ud800e\ufffef\tg\nh"
    assert xml_safe(text) == "abcdef\tg\nh"
    root = ET.fromstring(to_xml("errors", [{"description": text}]))
    assert root.find("error/description").text == "abcdef\tg\nh"


def test_errors_in_both_formats() -> None:
    error = Open311Error(400, "unknown_service", value="JLN")
    as_json = error_answer("json", error, "id")
    assert as_json.status_code == 400 and as_json.media_type == "application/json"
    assert json.loads(as_json.body) == [
        {"code": 400, "description": "service_code JLN tidak dikenal"}
    ]
    as_xml = error_answer("xml", error, "en")
    assert as_xml.status_code == 400 and as_xml.media_type == "application/xml"
    root = ET.fromstring(as_xml.body)
    assert (root.tag, root.findtext("error/code")) == ("errors", "400")
    assert root.findtext("error/description") == "service_code JLN was not found"


def test_answers_keep_unicode_in_json() -> None:
    body = answer("json", "services", [{"service_name": "Jalan rusak — Kedaton"}]).body
    assert "Jalan rusak — Kedaton".encode() in body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "id"),
        ("", "id"),
        ("en", "en"),
        ("en-US,en;q=0.9,id;q=0.8", "en"),
        ("id-ID,id;q=0.9,en;q=0.8", "id"),
        ("in", "id"),
        ("fr-FR, en;q=0.5", "en"),
        ("en;q=0, id", "id"),
        ("en;q=abc", "id"),
        ("en;q=nan", "id"),
        ("*", "id"),
        (";;;,,,=q", "id"),
        ("de, fr", "id"),
    ],
)
def test_the_language_a_client_prefers(header: str | None, expected: str) -> None:
    assert preferred_language(header) == expected


def test_the_channel_language_when_the_client_names_neither() -> None:
    assert preferred_language("de", default="en") == "en"
    assert preferred_language("id;q=0.4,en;q=0.3", default="en") == "id"
