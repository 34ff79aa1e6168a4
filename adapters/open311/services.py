"""A jurisdiction's services (its mapped ``categories``) and their definitions.

Every service carries the same attributes: the canonical fields Open311 lacks
(incident date, classification, anonymous, confidential).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.open311.texts import text
from gateway.mappings.catalog import Catalogue
from gateway.tenants import Tenant

Words = tuple[str, str]  # (Bahasa Indonesia, English)

YES_NO: tuple[tuple[str, Words], ...] = (("ya", ("Ya", "Yes")), ("tidak", ("Tidak", "No")))
CHOICE_HELP: Words = ("Pilih salah satu key: {keys}", "Choose one key: {keys}")


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    datatype: str  # Open311: string, number, datetime, text, singlevaluelist, multivaluelist
    order: int
    description: Words
    datatype_description: Words
    required: bool = False
    values: tuple[tuple[str, Words], ...] = ()

    def choices(self) -> list[str]:
        return [key for key, _ in self.values]


ATTRIBUTES: tuple[AttributeSpec, ...] = (
    AttributeSpec(
        "incident_date",
        "datetime",
        1,
        ("Kapan kejadiannya?", "When did it happen?"),
        (
            "Tanggal dan jam kejadian dalam ISO 8601, mis. 2026-03-21T08:15:00+07:00 "
            "(tanggal saja, 2026-03-21, juga boleh); tidak boleh di masa depan",
            "Date and time of the incident in ISO 8601, e.g. 2026-03-21T08:15:00+07:00 "
            "(a date alone, 2026-03-21, is fine too); not in the future",
        ),
    ),
    AttributeSpec(
        "classification",
        "singlevaluelist",
        2,
        ("Jenis laporan", "Kind of report"),
        CHOICE_HELP,
        values=(
            ("pengaduan", ("Pengaduan", "Complaint")),
            ("aspirasi", ("Aspirasi", "Aspiration")),
            ("permintaan_informasi", ("Permintaan informasi", "Information request")),
        ),
    ),
    AttributeSpec(
        "anonymous",
        "singlevaluelist",
        3,
        ("Rahasiakan identitas Anda dari instansi?", "Hide your identity from the agency?"),
        CHOICE_HELP,
        values=YES_NO,
    ),
    AttributeSpec(
        "confidential",
        "singlevaluelist",
        4,
        (
            "Laporan bersifat rahasia (isi tidak ditampilkan untuk publik)?",
            "Keep the report confidential (its content hidden from the public)?",
        ),
        CHOICE_HELP,
        values=YES_NO,
    ),
)
ATTRIBUTE_CODES = {a.code: a for a in ATTRIBUTES}


def _pick(words: Words, language: str) -> str:
    return words[1] if language == "en" else words[0]


def service_name(tenant: Tenant, code: str | None) -> str | None:
    """A category's label (its code when it has none)."""
    if code is None:
        return None
    category = tenant.spec.categories.get(code)
    return (category.label or code) if category is not None else code


def services(tenant: Tenant, catalogue: Catalogue, language: str) -> list[dict[str, Any]]:
    """``GET services``: one service per category of the tenant's mapping."""
    found = []
    for code, category in tenant.spec.categories.items():
        label = category.label or code
        topic = catalogue.topics.get(category.topic, f"#{category.topic}")
        words = [label, topic, code]
        for rule in tenant.spec.classifier.rules:
            if rule.topic == category.topic:
                words += rule.keywords
        keywords = list(dict.fromkeys(w.strip() for w in words if w.strip()))
        found.append(
            {
                "service_code": code,
                "service_name": label,
                "description": text("service_description", language, field=label, value=topic),
                "metadata": True,
                "type": "realtime",
                "keywords": ", ".join(keywords[:12]),
                "group": topic,
            }
        )
    return found


def definition(code: str, language: str) -> dict[str, Any]:
    """``GET services/{service_code}``: the attributes every service takes."""
    attributes = []
    for spec in ATTRIBUTES:
        help_text = _pick(spec.datatype_description, language)
        attributes.append(
            {
                "variable": True,
                "code": spec.code,
                "datatype": spec.datatype,
                "required": spec.required,
                "datatype_description": help_text.format(keys=", ".join(spec.choices())),
                "order": spec.order,
                "description": _pick(spec.description, language),
                "values": [{"key": k, "name": _pick(name, language)} for k, name in spec.values],
            }
        )
    return {"service_code": code, "attributes": attributes}
