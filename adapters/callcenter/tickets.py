"""A call-centre ticket (a row of an export, or a pushed JSON object) as a complaint.

The channel's ``fields`` say which of the ticket's columns holds each canonical field.
Every problem names the ticket's own column, so an agent can find it in their system.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from adapters.callcenter.settings import CHANNEL, CallcenterSettings
from gateway.domain.complaint import (
    Classification,
    ComplaintDraft,
    Location,
    Reporter,
    title_from_content,
)
from gateway.domain.dates import parse_date
from gateway.domain.errors import GatewayError
from gateway.mappings.catalog import Catalogue
from gateway.phone import to_e164
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


class TicketError(ValueError):
    """A ticket that cannot become a complaint: ``column`` is the ticket's own name."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


@dataclass(frozen=True)
class TicketMapping:
    tenant: Tenant
    channel_id: str
    fields: Mapping[str, str]  # canonical field -> the ticket's column
    settings: CallcenterSettings
    catalogue: Catalogue | None = None

    def column(self, canonical: str) -> str:
        return self.fields.get(canonical, canonical)

    def ticket_no(self, values: Mapping[str, Any]) -> str:
        column = self.column("source_ref")
        value = _text(values.get(column))
        if not value:
            raise TicketError(column, "is required (the ticket number)")
        if len(value) > 200:
            raise TicketError(column, "is longer than 200 characters")
        return value

    def draft(self, values: Mapping[str, Any], today: date) -> ComplaintDraft:
        """The routed complaint draft of one ticket; :class:`TicketError` names the column."""

        def get(canonical: str) -> str:
            return _text(values.get(self.column(canonical)))

        ticket = self.ticket_no(values)
        content = get("content")
        if len(content) < MIN_CONTENT:
            what = "is empty" if not content else f"has fewer than {MIN_CONTENT} characters"
            raise TicketError(self.column("content"), f"{what} (the complaint itself)")
        phone = None
        if raw_phone := get("reporter.phone"):
            try:
                phone = to_e164(raw_phone)
            except ValueError as exc:
                raise TicketError(self.column("reporter.phone"), str(exc)) from None
        classification = Classification.PENGADUAN
        if raw := get("classification"):
            found = _CLASSIFICATIONS.get(raw.casefold())
            if found is None:
                raise TicketError(
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
                channel=CHANNEL,
                source_ref=ticket,
                title=title[:200],
                content=content,
                category=get("category") or None,
                classification=classification,
                region_code=get("region_code") or self.tenant.spec.region_code,
                location=location,
                incident_date=self._date(get("incident_date"), today),
                anonymous=self._yes(get("anonymous")),
                confidential=self._yes(get("confidential")),
                reporter=reporter,
                language=self.settings.language,
            ),
        )
        try:
            return route(self.tenant, draft, self.catalogue)
        except GatewayError as exc:
            raise TicketError(self.column("topic_id"), exc.message) from None

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
                raise TicketError(column, f"{text!r} is in the future")
        if found is None:
            raise TicketError(column, f"{text!r} is not a date (e.g. 21/03/2026 or 21 Maret 2026)")
        if found > today:
            raise TicketError(column, f"{text!r} is in the future")
        return found

    def _yes(self, text: str) -> bool:
        return text.casefold() in {v.casefold() for v in self.settings.true_values}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else ""
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def _coordinate(mapping: TicketMapping, get: Any, axis: str) -> float | None:
    raw = get(f"location.{axis}")
    if not raw:
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        raise TicketError(mapping.column(f"location.{axis}"), "is not a number") from None


def _build(mapping: TicketMapping, prefix: str, make: Any) -> Any:
    """Run a model constructor; its first field error names the ticket's column."""
    try:
        return make()
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(p) for p in error["loc"])
        canonical = f"{prefix}.{loc}" if prefix and loc else (prefix or loc)
        message = str(error["msg"]).removeprefix("Value error, ")
        raise TicketError(mapping.column(canonical), message) from None
