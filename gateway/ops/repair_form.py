"""The repair form of a failed submission (``/ops/jobs/<id>/fix``): the values it
shows, the fields the registry's error names, and the values sent back checked, each
wrong one with what is wrong in the operator's language (:mod:`gateway.ops.repairs`
applies them)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gateway.domain.complaint import REGION_CODE
from gateway.mappings.catalog import Catalogue
from gateway.storage.models import Complaint

#: the complaint's mapped values an operator may correct before replaying
EDITABLE = ("topic_id", "agency_code", "region_code", "incident_date")
#: what is wrong with a field of the form, Indonesian and English (``{value}``: as given)
ERRORS: dict[str, tuple[str, str]] = {
    "topic": ("harus berupa nomor topik nasional", "must be a national topic number"),
    "unknown_topic": (
        "topik {value} tidak ada di katalog nasional",
        "topic {value} is not in the national catalogue",
    ),
    "long": ("paling panjang 64 karakter", "at most 64 characters"),
    "unknown_agency": (
        "instansi {value} tidak ada di katalog nasional",
        "agency {value} is not in the national catalogue",
    ),
    "region": (
        "harus kode wilayah Kemendagri, mis. 18 atau 18.71",
        "must be a Kemendagri region code, e.g. 18 or 18.71",
    ),
    "date": ("harus tanggal berbentuk YYYY-MM-DD", "must be a date written YYYY-MM-DD"),
    "future": ("tidak boleh di masa depan", "cannot be in the future"),
}


@dataclass
class Checked:
    values: dict[str, Any] = field(default_factory=dict)
    #: field -> what is wrong, in the operator's language
    errors: dict[str, str] = field(default_factory=dict)


def current_values(complaint: Complaint) -> dict[str, str]:
    """The editable values as the form shows them."""
    shown: dict[str, str] = {}
    for name in EDITABLE:
        value = getattr(complaint, name)
        shown[name] = value.isoformat() if isinstance(value, date) else str(value or "")
    return shown


def named_fields(error: str | None) -> list[str]:
    """The editable fields a job's last error names (``agency_code: unknown agency``)."""
    if not error:
        return []
    return [name for name in EDITABLE if re.search(rf"\b{name}\b", error)]


def check(
    form: Mapping[str, str], catalogue: Catalogue, today: date, language: str = "id"
) -> Checked:
    """The form's values parsed, or an error per field it names wrongly, in ``language``
    (``id`` or ``en``)."""
    checked = Checked()

    def wrong(name: str, what: str, value: str = "") -> None:
        checked.errors[name] = ERRORS[what][language == "en"].format(value=value)

    topic = form.get("topic_id", "").strip()
    if not topic.isdigit():
        wrong("topic_id", "topic")
    elif catalogue.enforced and int(topic) not in catalogue.topics:
        wrong("topic_id", "unknown_topic", topic)
    else:
        checked.values["topic_id"] = int(topic)
    agency = form.get("agency_code", "").strip()
    if not agency:
        checked.values["agency_code"] = None
    elif len(agency) > 64:
        wrong("agency_code", "long")
    elif catalogue.enforced and catalogue.agencies and agency not in catalogue.agencies:
        wrong("agency_code", "unknown_agency", agency)
    else:
        checked.values["agency_code"] = agency
    region = form.get("region_code", "").strip()
    if not REGION_CODE.match(region):
        wrong("region_code", "region")
    else:
        checked.values["region_code"] = region
    when = form.get("incident_date", "").strip()
    if not when:
        checked.values["incident_date"] = None
    else:
        try:
            parsed = date.fromisoformat(when)
        except ValueError:
            wrong("incident_date", "date")
        else:
            if parsed > today:
                wrong("incident_date", "future")
            else:
                checked.values["incident_date"] = parsed
    return checked
