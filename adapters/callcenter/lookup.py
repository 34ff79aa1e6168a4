"""What an agent tells a caller: a ticket's tracking ID, status, agency, response, due dates."""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import re
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from adapters.callcenter.settings import CHANNEL
from gateway.domain.errors import ErrorKind, FieldError, GatewayError
from gateway.domain.status import status_words
from gateway.domain.zones import local, shown, zone_or_wib
from gateway.fieldmap import FieldMapping
from gateway.phone import to_e164
from gateway.storage.models import Complaint

LIMIT = 20


def _view(c: Complaint, language: str) -> dict[str, Any]:
    """A complaint as the agent reads it: times in the zone of its region, with the label
    (``received``: ``2026-03-21 09:42 WITA``) and as ISO 8601 with that zone's offset."""
    zone = zone_or_wib(c.region_code)
    return {
        "ticket": c.source_ref,
        "tracking_id": c.tracking_id,
        "status": c.status,
        "status_text": status_words(c.status, language),
        "national_status": c.national_status,
        "agency": c.agency_name or c.agency_code,
        "response": c.last_response,
        "title": c.title,
        "received_at": local(c.created_at, zone).isoformat(),
        "received": shown(c.created_at, zone),
        "submitted_at": local(c.submitted_at, zone).isoformat() if c.submitted_at else None,
        "incident_date": c.incident_date.isoformat() if c.incident_date else None,
        "incident_at": local(c.incident_at, zone).isoformat() if c.incident_at else None,
        "incident": (
            shown(c.incident_at, zone)
            if c.incident_at
            else (c.incident_date.isoformat() if c.incident_date else None)
        ),
        "verify_due": c.verify_due.isoformat() if c.verify_due else None,
        "follow_up_due": c.follow_up_due.isoformat() if c.follow_up_due else None,
        "failure_reason": c.failure_reason,
    }


def find(
    factory: sessionmaker[Session],
    mapping: FieldMapping,
    ticket: str | None,
    phone: str | None,
    tracking_id: str | None,
) -> list[dict[str, Any]]:
    if not (ticket or phone or tracking_id):
        raise GatewayError(
            ErrorKind.INVALID_INPUT,
            "invalid fields: ticket, phone, tracking_id",
            [FieldError("ticket", "give a ticket number, a phone number or a tracking ID")],
        )
    conditions = []
    if ticket:
        conditions.append(col(Complaint.source_ref) == ticket.strip())
    if phone:
        try:
            conditions.append(col(Complaint.reporter_phone) == to_e164(phone))
        except ValueError as exc:
            raise GatewayError(
                ErrorKind.INVALID_INPUT, "invalid fields: phone", [FieldError("phone", str(exc))]
            ) from None
    if tracking_id:
        conditions.append(col(Complaint.tracking_id) == tracking_id.strip())
    return _query(factory, mapping, conditions)


def search(factory: sessionmaker[Session], mapping: FieldMapping, q: str) -> list[dict[str, Any]]:
    """One box for all three: a phone number, a tracking ID or a ticket number."""
    text = q.strip()
    conditions = [col(Complaint.source_ref) == text, col(Complaint.tracking_id) == text]
    if re.fullmatch(r"[\d\s()+.\-]{8,20}", text):
        with contextlib.suppress(ValueError):
            conditions.append(col(Complaint.reporter_phone) == to_e164(text))
    return _query(factory, mapping, conditions)


def _query(
    factory: sessionmaker[Session], mapping: FieldMapping, conditions: list[Any]
) -> list[dict[str, Any]]:
    query = (
        select(Complaint)
        .where(
            col(Complaint.tenant) == mapping.tenant.id,
            col(Complaint.channel) == CHANNEL,
            or_(*conditions),
        )
        .order_by(col(Complaint.created_at).desc())
        .limit(LIMIT)
    )
    with factory() as session:
        return [_view(c, mapping.settings.language) for c in session.scalars(query)]


def basic_password(header: str | None) -> str | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None


_LABELS = [
    ("ticket", "Tiket"),
    ("tracking_id", "Nomor SP4N-LAPOR!"),
    ("status_text", "Status"),
    ("agency", "Instansi"),
    ("response", "Tanggapan"),
    ("verify_due", "Batas verifikasi"),
    ("follow_up_due", "Batas tindak lanjut"),
    ("incident", "Waktu kejadian"),
    ("received", "Diterima"),
]


def page(mapping: FieldMapping, q: str | None, items: list[dict[str, Any]] | None) -> str:
    e = html.escape
    rows = ""
    if items:
        for item in items:
            cells = "".join(f"<td>{e(str(item.get(k) or '-'))}</td>" for k, _ in _LABELS)
            rows += f"<tr>{cells}</tr>"
        table = (
            "<table><thead><tr>"
            + "".join(f"<th>{e(label)}</th>" for _, label in _LABELS)
            + f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    elif q:
        table = f"<p class=none>Tidak ada laporan untuk <b>{e(q)}</b>.</p>"
    else:
        table = "<p>Ketik nomor tiket, nomor HP penelepon atau nomor SP4N-LAPOR!.</p>"
    refresh = '<meta http-equiv="refresh" content="30">' if q else ""
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">{refresh}
<title>Cek laporan - {e(mapping.tenant.spec.name)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1rem;max-width:80rem}}
form{{display:flex;gap:.5rem;margin:1rem 0}} input{{flex:1;font-size:1.1rem;padding:.4rem}}
table{{border-collapse:collapse;width:100%}}
th,td{{border:1px solid #ccc;padding:.3rem;text-align:left;vertical-align:top}}
th{{background:#f3f3f3}} .none{{color:#a00}}
</style></head><body>
<h1>Cek laporan call centre</h1><p>{e(mapping.tenant.spec.name)}</p>
<form method="get"><input name="q" value="{e(q or "")}" autofocus
 placeholder="Nomor tiket, nomor HP atau nomor SP4N-LAPOR!" aria-label="Cari">
<button type="submit">Cari</button></form>
{table}
</body></html>"""
