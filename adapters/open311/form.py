"""``POST requests``: the submitted fields, read and turned into the canonical draft.

Open311 sends form fields (``service_code``, ``lat``, ``description``, ...) and
``attribute[code]=value`` for a service's attributes. Each mistake is a 400 naming
its field (:class:`Open311Error`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from adapters.open311.render import Open311Error, invalid
from adapters.open311.services import ATTRIBUTE_CODES
from adapters.open311.settings import CHANNEL, Open311Settings
from adapters.open311.texts import text
from gateway.domain.complaint import (
    Attachment,
    Classification,
    ComplaintDraft,
    Language,
    Location,
    Reporter,
    title_from_content,
)
from gateway.phone import to_e164
from gateway.regions.resolve import region_at
from gateway.tenants import Tenant

MAX_DESCRIPTION = 4000  # the spec's limit
MIN_DESCRIPTION = 10  # the canonical complaint's
MAX_FIELD = 500
#: the submitter's own fields: personal data
PERSONAL = frozenset({"first_name", "last_name", "phone", "email", "device_id", "account_id"})
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
#: what a draft's field is called in Open311 (the first part of a pydantic location)
_OPEN311_NAMES = {
    "content": "description",
    "title": "description",
    "location": "address_string",
    "reporter": "first_name",
    "incident_date": "attribute[incident_date]",
    "attachments": "media_url",
}


@dataclass(frozen=True)
class Submitted:
    """The form as sent: plain fields (first value of each) and ``attribute[code]``s,
    and the ``media`` file once kept (:mod:`.media`: url, filename, content_type, size)."""

    fields: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    media: tuple[dict[str, Any], ...] = ()

    def record(self) -> dict[str, object]:
        """What is kept as the raw input: never the api_key; the personal fields under
        ``reporter`` (which the console masks whole until an operator reveals it)."""
        kept = {k: v for k, v in self.fields.items() if k != "api_key" and k not in PERSONAL}
        reporter = {k: v for k, v in self.fields.items() if k in PERSONAL}
        record: dict[str, object] = {
            **kept,
            "reporter": reporter,
            "attribute": dict(self.attributes),
        }
        if self.media:  # its link names the file's SHA-256: another photo, another request
            record["media"] = list(self.media)
        return record

    def content_hash(self) -> str:
        """The same submission gives the same hash (the tenant and key left out)."""
        record = {k: v for k, v in self.record().items() if k != "jurisdiction_id"}
        canonical = json.dumps(record, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()


def clean(value: str) -> str:
    """``value`` without control characters (tab and line breaks stay), trimmed."""
    return _CONTROL.sub("", value).strip()


def read_form(pairs: Iterable[tuple[str, str]]) -> Submitted:
    """Form pairs as :class:`Submitted`; empty values count as not sent, the first of a
    repeated field wins."""
    fields: dict[str, str] = {}
    attributes: dict[str, str] = {}
    for raw_key, raw_value in pairs:
        key, value = clean(raw_key), clean(raw_value)
        if not value:
            continue
        match = _ATTRIBUTE.match(key)
        if match:
            attributes.setdefault(match.group(1), value)
        else:
            fields.setdefault(key, value)
    return Submitted(fields, attributes)


def source_ref(idempotency_key: str | None, submitted: Submitted) -> str:
    """The complaint's source_ref: the client's Idempotency-Key, else the content's hash."""
    if idempotency_key is not None:
        if not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise invalid("bad_key_header", "Idempotency-Key")
        return f"key:{idempotency_key}"
    return f"sha256:{submitted.content_hash()}"


def to_draft(
    submitted: Submitted, tenant: Tenant, settings: Open311Settings, ref: str, now: datetime
) -> ComplaintDraft:
    """The canonical draft of ``submitted``; :func:`gateway.routing.route` then routes it."""
    f = submitted.fields
    code = f.get("service_code")
    if code is None:
        raise invalid("missing", "service_code")
    if code not in tenant.spec.categories:
        raise invalid("unknown_service", "service_code", code[:64])
    content = _description(f.get("description"))
    location = _location(f)
    reporter = _reporter(f)
    extra = _attributes(submitted.attributes, ZoneInfo(settings.timezone), now)
    attachments: list[Attachment] = []
    media = f.get("media_url")
    if media is not None:
        if allowed_media(_media_host(media), settings.media_domains):
            attachments.append(Attachment(url=media))
        else:
            content += "\n\n" + text("media_in_text", settings.language, value=media)
    attachments.extend(Attachment(**kept) for kept in submitted.media)
    try:
        return ComplaintDraft(
            tenant=tenant.id,
            channel=CHANNEL,
            source_ref=ref,
            title=title_from_content(content.split("\n\n")[0]),
            content=content,
            category=code,
            region_code=_region(location, settings.region_code or tenant.spec.region_code),
            location=location,
            reporter=reporter,
            attachments=attachments,
            language=Language(settings.language),
            **extra,
        )
    except ValidationError as exc:
        loc = exc.errors()[0].get("loc") or ("description",)
        raise invalid("bad_value", _OPEN311_NAMES.get(str(loc[0]), str(loc[0]))) from None


def _region(location: Location, own: str) -> str:
    """The regency or city inside ``own`` that ``lat``/``long`` lie in, else ``own``."""
    return region_at(location.latitude, location.longitude, own) or own


def _description(value: str | None) -> str:
    if value is None:
        raise invalid("missing", "description")
    if len(value) < MIN_DESCRIPTION:
        raise invalid("too_short", "description", MIN_DESCRIPTION)
    if len(value) > MAX_DESCRIPTION:
        raise invalid("too_long", "description", MAX_DESCRIPTION)
    return value


def _number(name: str, value: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise invalid("not_number", name) from None
    if not math.isfinite(number) or abs(number) > limit:
        raise invalid("out_of_range", name, f"-{limit:g}..{limit:g}")
    return number


def _location(f: dict[str, str]) -> Location:
    lat, lon = f.get("lat"), f.get("long")
    if (lat is None) != (lon is None):
        raise invalid("pair", "long" if lon is None else "lat", "lat" if lon is None else "long")
    address = f.get("address_string")
    if address is None and "address_id" in f:
        address = f"address_id {f['address_id']}"
    if lat is None and address is None:
        raise Open311Error(400, "location_required")
    if address is not None and len(address) > MAX_FIELD:
        raise invalid("too_long", "address_string", MAX_FIELD)
    latitude = _number("lat", lat, 90) if lat is not None else None
    longitude = _number("long", lon, 180) if lon is not None else None
    return Location(text=address, latitude=latitude, longitude=longitude)


def _reporter(f: dict[str, str]) -> Reporter | None:
    for name in ("first_name", "last_name"):
        if len(f.get(name, "")) > 99:
            raise invalid("too_long", name, 99)
    full = " ".join(f[n] for n in ("first_name", "last_name") if n in f) or None
    phone = f.get("phone")
    if phone is not None:
        try:
            phone = to_e164(phone[:40])
        except ValueError:
            raise invalid("bad_phone", "phone") from None
    email = f.get("email")
    if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
        raise invalid("bad_email", "email")
    if full is None and phone is None and email is None:
        return None
    try:
        return Reporter(name=full, phone=phone, email=email)
    except ValidationError:
        raise invalid("bad_value", "first_name") from None


def _attributes(given: dict[str, str], zone: ZoneInfo, now: datetime) -> dict[str, object]:
    """``attribute[code]`` values as the draft's fields."""
    out: dict[str, object] = {}
    for code, value in given.items():
        spec = ATTRIBUTE_CODES.get(code)
        name = f"attribute[{code}]"
        if spec is None:
            raise invalid("unknown_attribute", name)
        if spec.values:
            if value not in spec.choices():
                raise invalid("bad_choice", name, ", ".join(spec.choices()))
            out[code] = Classification(value) if code == "classification" else value == "ya"
        else:
            out[code], moment = incident(value, zone, now, name)
            if moment is not None:  # the moment too, kept in UTC
                out["incident_at"] = moment
    return out


def incident(value: str, zone: ZoneInfo, now: datetime, name: str) -> tuple[date, datetime | None]:
    """The local date of an ISO 8601 datetime (or a date alone), not after today, and
    the moment in UTC when the value has a time of day (None for a date alone)."""
    try:
        moment = parse_datetime(value, zone)
    except ValueError:
        raise invalid("bad_date", name) from None
    day = moment.astimezone(zone).date()
    if day > now.astimezone(zone).date():
        raise invalid("future_date", name)
    if not _has_time(value):
        return day, None
    if moment > now + timedelta(minutes=5):
        raise invalid("future_date", name)
    return day, moment.astimezone(UTC)


def _has_time(value: str) -> bool:
    """An ISO 8601 value with a time of day (``2026-03-21T14:05``), not a date alone."""
    return len(value.strip()) > len("2026-03-21")


def parse_datetime(value: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 datetime or date (``Z`` for UTC; no offset: ``zone``); ValueError."""
    text_value = value.strip()
    if len(text_value) > 40:
        raise ValueError("too long")
    moment = datetime.fromisoformat(text_value.replace("z", "Z"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        moment.astimezone(ZoneInfo("UTC")) + timedelta(0)
    except OverflowError:
        raise ValueError("out of range") from None
    return moment


def _media_host(url: str) -> str:
    try:
        parts = urlsplit(url) if len(url) <= 2000 and not any(c.isspace() for c in url) else None
        host = parts.hostname if parts is not None and parts.scheme in ("http", "https") else None
    except ValueError:  # a broken [IPv6] host
        host = None
    if not host:
        raise invalid("bad_url", "media_url")
    return host.lower().rstrip(".")


def allowed_media(host: str, domains: list[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or under one of them."""
    return any(host == d or host.endswith("." + d) for d in domains)
