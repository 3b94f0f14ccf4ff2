"""Open311 documents as JSON and XML. The XML is the spec's (schemaless, no namespace, a UTF-8
declaration); the JSON is its Spark-convention mapping: an element that only holds repeated children
(services/service, service_requests/request, attributes/attribute, values/value, errors/error,
endpoints/endpoint, formats/format) becomes an array, even of one; an empty element is null."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from typing import Any
from xml.etree import ElementTree as ET

from django.utils import timezone

# a container element -> the name of each repeated child
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# what XML 1.0 cannot hold (the services refuse control characters already: a second line of defence)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def w3(value: dt.datetime) -> str:
    """The spec's date format (the w3 note's subset of ISO 8601), with the zone: China Standard Time."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def _plain(value: Any) -> Any:
    """Dataclasses as dicts, datetimes as w3 strings, tuples as lists: what both formats are built from."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return w3(value)
    return value


def to_json(value: Any) -> bytes:
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":")).encode()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item = ITEMS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, _plain(value))
    return (XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode()


def render(fmt: str, root: str, value: Any) -> tuple[bytes, str]:
    """The body and its content type: ``root`` names the XML root element (services,
    service_definition, service_requests, discovery, errors)."""
    body = to_json(value) if fmt == "json" else to_xml(root, value)
    return body, CONTENT_TYPES[fmt]


def errors(status: int, descriptions: Sequence[str]) -> list[dict[str, Any]]:
    """The spec's error list: one {code, description} per problem, code = the HTTP status."""
    return [{"code": status, "description": d} for d in descriptions]
