"""A legacy system's flat record (a call-centre ticket, a web-form submission, a row of
an export or of a portal's table) as a complaint.

The channel's ``fields`` say which of the record's own fields holds each canonical
field. Every problem names the record's own field, so whoever runs that system can
find it there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Protocol

from pydantic import ValidationError

from gateway.domain.complaint import (
    Classification,
    ComplaintDraft,
    Location,
    Reporter,
    title_from_content,
)
from gateway.domain.dates import parse_date, parse_time
from gateway.domain.errors import GatewayError
from gateway.domain.zones import WIB, Zone, stated_zone, zone_named, zone_of
from gateway.mappings.catalog import Catalogue
from gateway.phone import to_e164
from gateway.regions.resolve import RegionError, region_at, region_code
from gateway.routing import route
from gateway.tenants import Tenant

MIN_CONTENT = 10
_CLASSIFICATIONS = {
    "pengaduan": Classification.PENGADUAN,
    "keluhan": Classification.PENGADUAN,
    "aspirasi": Classification.ASPIRASI,
    "saran": Classification.ASPIRASI,
    "permintaan_informasi": Classification.PERMINTAAN_INFORMASI,
    "permintaan informasi": Classification.PERMINTAAN_INFORMASI,
    "informasi": Classification.PERMINTAAN_INFORMASI,
}


class FieldSettings(Protocol):
    """What a channel's settings say about its records' values."""

    @property
    def date_format(self) -> str | None: ...

    @property
    def true_values(self) -> list[str]: ...

    @property
    def language(self) -> str: ...

    @property
    def timezone(self) -> str: ...


class RecordError(ValueError):
    """A record that cannot become a complaint: ``column`` is the record's own field."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


@dataclass(frozen=True)
class FieldMapping:
    tenant: Tenant
    channel: str  # the complaint's channel (callcenter, webform)
    channel_id: str
    fields: Mapping[str, str]  # canonical field -> the record's own field
    settings: Any  # the channel's settings: FieldSettings and its own
    catalogue: Catalogue | None = None

    def column(self, canonical: str) -> str:
        return self.fields.get(canonical, canonical)

    def source_ref(self, values: Mapping[str, Any]) -> str:
        column = self.column("source_ref")
        value = _text(values.get(column))
        if not value:
            raise RecordError(column, "is required (the record's own number)")
        if len(value) > 200:
            raise RecordError(column, "is longer than 200 characters")
        return value

    def draft(self, values: Mapping[str, Any], today: date) -> ComplaintDraft:
        """The routed complaint draft of one record; :class:`RecordError` names the field."""

        def get(canonical: str) -> str:
            return _text(values.get(self.column(canonical)))

        ticket = self.source_ref(values)
        content = get("content")
        if len(content) < MIN_CONTENT:
            what = "is empty" if not content else f"has fewer than {MIN_CONTENT} characters"
            raise RecordError(self.column("content"), f"{what} (the complaint itself)")
        phone = None
        if raw_phone := get("reporter.phone"):
            try:
                phone = to_e164(raw_phone)
            except ValueError as exc:
                raise RecordError(self.column("reporter.phone"), str(exc)) from None
        classification = Classification.PENGADUAN
        if raw := get("classification"):
            found = _CLASSIFICATIONS.get(raw.casefold())
            if found is None:
                raise RecordError(
                    self.column("classification"), "must be pengaduan, aspirasi or informasi"
                )
            classification = found
        latitude, longitude = (
            _coordinate(self, get, "latitude"),
            _coordinate(self, get, "longitude"),
        )
        location = None
        if get("location.text") or latitude is not None:
            location = _build(
                self,
                "location",
                lambda: Location(
                    text=get("location.text") or None, latitude=latitude, longitude=longitude
                ),
            )
        reporter = None
        if any(get(f"reporter.{k}") for k in ("name", "email", "nik")) or phone:
            reporter = _build(
                self,
                "reporter",
                lambda: Reporter(
                    name=get("reporter.name") or None,
                    phone=phone,
                    email=get("reporter.email") or None,
                    nik=get("reporter.nik") or None,
                ),
            )
        title = get("title") or title_from_content(content)
        draft = _build(
            self,
            "",
            lambda: ComplaintDraft(
                tenant=self.tenant.id,
                channel=self.channel,
                source_ref=ticket,
                title=title[:200],
                content=content,
                category=get("category") or None,
                agency_code=get("agency_code") or None,
                classification=classification,
                region_code=self._region(get("region_code"), latitude, longitude),
                location=location,
                incident_date=self._date(get("incident_date"), today),
                anonymous=self._yes(get("anonymous")),
                confidential=self._yes(get("confidential")),
                reporter=reporter,
                language=self.settings.language,
            ),
        )
        if draft.incident_date is not None:
            draft = self._with_time(draft, get("incident_date"), get("incident_time"))
        try:
            return route(self.tenant, draft, self.catalogue)
        except GatewayError as exc:  # a topic or an agency the national catalogue lacks
            named = exc.fields[0] if exc.fields else None
            column = self.column(named.field if named else "topic_id")
            raise RecordError(column, named.message if named else exc.message) from None

    def _date(self, text: str, today: date) -> date | None:
        if not text:
            return None
        column = self.column("incident_date")
        found = None
        if self.settings.date_format:
            try:
                found = datetime.strptime(text, self.settings.date_format).date()
            except ValueError:
                found = None
        if found is None:
            found = parse_date(text, today)
            if found is None and parse_date(text, date.max) is not None:
                raise RecordError(column, f"{text!r} is in the future")
        if found is None:
            raise RecordError(column, f"{text!r} is not a date (e.g. 21/03/2026 or 21 Maret 2026)")
        if found > today:
            raise RecordError(column, f"{text!r} is in the future")
        return found

    def _with_time(self, draft: ComplaintDraft, date_text: str, time_text: str) -> ComplaintDraft:
        """The draft with ``incident_at``: its date and time of day in the zone of its region.

        The time is the ``incident_time`` field's, else a time written after the date
        (``21/03/2026 14.05``); a time that names its zone (``14.05 WIT``) keeps it.
        """
        assert draft.incident_date is not None
        column = self.column("incident_time" if time_text else "incident_date")
        moment = self._clock(date_text) if not time_text else None
        if moment is None:
            moment = parse_time(time_text or date_text)
        if moment is None:
            if time_text:
                raise RecordError(column, f"{time_text!r} is not a time (e.g. 14.05 or 2.05 PM)")
            return draft
        zone = stated_zone(time_text or date_text) or self.zone(draft.region_code)
        at = datetime.combine(draft.incident_date, moment, zone.info).astimezone(UTC)
        if at > datetime.now(UTC):
            raise RecordError(column, f"{time_text or date_text!r} is in the future")
        return draft.model_copy(update={"incident_at": at})

    def _clock(self, text: str) -> time | None:
        """The time of day the channel's ``date_format`` reads, when it has one."""
        pattern = self.settings.date_format
        if not pattern or not any(code in pattern for code in ("%H", "%I")):
            return None
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            return None

    def zone(self, region_code: str) -> Zone:
        """The zone of a region; a code in no province falls back to the channel's zone."""
        try:
            return zone_of(region_code)
        except ValueError:
            return zone_named(str(getattr(self.settings, "timezone", ""))) or WIB

    def _region(self, text: str, latitude: float | None, longitude: float | None) -> str:
        """The record's region code: a code as given, a name inside the tenant's region,
        else the regency or city of its coordinates, else the tenant's own region."""
        own = str(self.tenant.spec.region_code)
        if not text:
            return region_at(latitude, longitude, own) or own
        try:
            return region_code(text, own)
        except RegionError as exc:
            raise RecordError(self.column("region_code"), str(exc)) from None

    def _yes(self, text: str) -> bool:
        return text.casefold() in {v.casefold() for v in self.settings.true_values}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else ""
    if isinstance(value, datetime) and value.time() == time() and value.tzinfo is None:
        return value.date().isoformat()  # a DATETIME column's midnight: a date, no time
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def _coordinate(mapping: FieldMapping, get: Any, axis: str) -> float | None:
    raw = get(f"location.{axis}")
    if not raw:
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        raise RecordError(mapping.column(f"location.{axis}"), "is not a number") from None


def _build(mapping: FieldMapping, prefix: str, make: Any) -> Any:
    """Run a model constructor; its first field error names the ticket's column."""
    try:
        return make()
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(p) for p in error["loc"])
        canonical = f"{prefix}.{loc}" if prefix and loc else (prefix or loc)
        message = str(error["msg"]).removeprefix("Value error, ")
        raise RecordError(mapping.column(canonical), message) from None
