"""Open311 answers in JSON or XML, and Open311 errors.

XML is built with :mod:`xml.etree.ElementTree` (escaping ``&``, ``<``, ``>``), after
removing the characters XML 1.0 cannot carry at all (most control characters), so any
text a complaint holds renders as a well-formed document.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from typing import Any, Literal

from fastapi.responses import Response

from adapters.open311.texts import text

Format = Literal["json", "xml"]
JSON = "application/json"
XML = "application/xml"

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
#: a list's items are elements named after the list (services -> service)
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 does not allow (NUL, most C0 controls,
    lone surrogates, U+FFFE and U+FFFF)."""
    return _NOT_XML.sub("", value)


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return xml_safe(str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, name), item)
    else:
        element.text = _scalar(value)


def to_xml(root: str, value: Any) -> bytes:
    """``value`` (dicts, lists, scalars) as an XML document whose top element is ``root``."""
    element = ET.Element(root)
    _fill(element, value)
    return DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=_json_default).encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def answer(fmt: Format, root: str, value: Any, status: int = 200) -> Response:
    """``value`` as the Open311 document ``root`` (the XML top element; JSON has none)."""
    if fmt == "xml":
        return Response(to_xml(root, value), status_code=status, media_type=XML)
    return Response(to_json(value), status_code=status, media_type=JSON)


class Open311Error(Exception):
    """An answer in Open311's error format: ``status`` and a text from :mod:`.texts`."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.values = values

    def description(self, language: str) -> str:
        return text(self.key, language, **self.values)


def error_answer(fmt: Format, error: Open311Error, language: str) -> Response:
    """``[{"code": 400, "description": "..."}]`` or ``<errors><error>...``."""
    errors = [{"code": error.status, "description": error.description(language)}]
    return answer(fmt, "errors", errors, status=error.status)


def invalid(key: str, field: str, value: object = "") -> Open311Error:
    """A 400 naming ``field``."""
    return Open311Error(400, key, field=field, value=value)
