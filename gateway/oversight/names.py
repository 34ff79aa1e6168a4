"""What the oversight figures show people: tenant, agency, topic and channel names, and
what each figure means (Bahasa Indonesia, and English)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.mappings.catalog import Catalogue
from gateway.mappings.spec import Sla
from gateway.storage.catalogue import synced_catalogue
from gateway.storage.models import Complaint

#: a channel type's name (a channel is shown by its type when its id is not one)
CHANNEL_NAMES = {
    "api": "API / aplikasi",
    "callcenter": "Call center",
    "sms": "SMS",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "webform": "Formulir web",
    "open311": "Open311",
}
#: the same in English, where it differs
CHANNEL_NAMES_EN = {**CHANNEL_NAMES, "api": "API / app", "webform": "Web form"}
NO_AGENCY = "Belum ditentukan"
NO_TOPIC = "Tanpa topik"
NO_AGENCY_EN = "Not yet assigned"
NO_TOPIC_EN = "No topic"
#: a channel type's Indonesian name -> its English one
_CHANNEL_EN = {CHANNEL_NAMES[kind]: CHANNEL_NAMES_EN[kind] for kind in CHANNEL_NAMES}


def english_name(kind: str, key: str, name: str) -> str:
    """A breakdown row's name (:class:`Names`') in English: a channel (``kind``
    ``channel``) by its type's English name, the row of no agency or no topic (``key``
    empty) in English. Tenants, agencies and topics have only the names their mapping
    and the national catalogue give them (Indonesian): as they are."""
    if kind == "channel":
        return _CHANNEL_EN.get(name, name)
    if kind == "agency" and not key:
        return NO_AGENCY_EN
    if kind == "topic" and not key:
        return NO_TOPIC_EN
    return name


@dataclass(frozen=True)
class Names:
    tenants: Mapping[str, str]
    agencies: Mapping[str, str]
    topics: Mapping[int, str]
    channels: Mapping[str, str]

    @classmethod
    def load(
        cls, factory: sessionmaker[Session], tenants: Mapping[str, Any], codes: Iterable[str] = ()
    ) -> Names:
        """The names; ``codes``: agencies to name even when the catalogue does not know
        them (by the name the registry gave with one of their complaints)."""
        catalogue = synced_catalogue(factory) or Catalogue.bundled()
        agencies = dict(catalogue.agencies)
        unknown = sorted({code for code in codes if code and code not in agencies})
        if unknown:
            with factory() as session:
                for code in unknown:
                    name = session.scalar(
                        select(col(Complaint.agency_name))
                        .where(
                            col(Complaint.agency_code) == code,
                            col(Complaint.agency_name).is_not(None),
                        )
                        .limit(1)
                    )
                    if name:
                        agencies[code] = name
        channels: dict[str, str] = {}
        for tenant in tenants.values():
            for channel in getattr(tenant.spec, "channels", ()):
                channels.setdefault(channel.id, CHANNEL_NAMES.get(channel.type, channel.id))
        return cls(
            tenants={tid: t.spec.name for tid, t in tenants.items()},
            agencies=agencies,
            topics={**catalogue.withdrawn_topics, **catalogue.topics},
            channels=channels,
        )

    def tenant(self, tenant_id: str) -> str:
        return self.tenants.get(tenant_id, tenant_id)

    def agency(self, code: str) -> str:
        return self.agencies.get(code, code) if code else NO_AGENCY

    def topic(self, key: str) -> str:
        return self.topics.get(int(key), key) if key else NO_TOPIC

    def channel(self, channel_id: str) -> str:
        return self.channels.get(channel_id) or CHANNEL_NAMES.get(channel_id, channel_id)


#: what each figure means, Indonesian; ``{verify}``, ``{follow_up}`` and ``{finish}``
#: are the SLA's limits in working days (:func:`definitions`)
_DEFINITIONS = {
    "received": "Pengaduan yang diterima gateway dalam periode (tanggal masuk).",
    "verified": "Pengaduan yang pertama kali terverifikasi dalam periode.",
    "dispatched": "Pengaduan yang pertama kali didisposisikan ke instansi dalam periode.",
    "followed_up": "Pengaduan yang pertama kali ditindaklanjuti instansi dalam periode.",
    "finished": "Pengaduan yang selesai dalam periode.",
    "archived": "Pengaduan yang diarsipkan dalam periode.",
    "follow_up_rate": (
        "Tingkat tindak lanjut: pengaduan yang masuk dalam periode dan sudah "
        "ditindaklanjuti atau selesai pada akhir periode, dibagi pengaduan yang masuk."
    ),
    "finish_rate": (
        "Tingkat penyelesaian: pengaduan yang masuk dalam periode dan sudah selesai "
        "pada akhir periode, dibagi pengaduan yang masuk."
    ),
    "median_days_to_verify": "Median hari kerja dari pengaduan masuk sampai terverifikasi.",
    "median_days_to_follow_up": (
        "Median hari kerja dari pengaduan masuk sampai tindak lanjut pertama."
    ),
    "median_days_to_finish": "Median hari kerja dari pengaduan masuk sampai selesai.",
    "over_sla_verify": (
        "Melewati batas verifikasi ({verify} hari kerja setelah terkirim, hari libur nasional "
        "tidak dihitung): jatuh tempo dalam periode, diverifikasi sesudahnya atau belum."
    ),
    "over_sla_follow_up": (
        "Melewati batas tindak lanjut ({follow_up} hari kerja setelah disposisi pertama): jatuh "
        "tempo dalam periode, ditindaklanjuti sesudahnya atau belum."
    ),
    "over_sla_finish": (
        "Melewati batas penyelesaian ({finish} hari kerja setelah tindak lanjut pertama): "
        "jatuh tempo dalam periode, selesai sesudahnya atau belum."
    ),
    "active": (
        "Keaktifan: kabupaten/kota menindaklanjuti atau menyelesaikan sedikitnya satu "
        "pengaduan dalam periode, atau tidak menerima pengaduan."
    ),
}
_DEFINITIONS_EN = {
    "received": "Complaints the gateway received in the period (the day stored).",
    "verified": "Complaints first verified in the period.",
    "dispatched": "Complaints first dispatched to an agency in the period.",
    "followed_up": "Complaints an agency first followed up in the period.",
    "finished": "Complaints finished in the period.",
    "archived": "Complaints archived in the period.",
    "follow_up_rate": (
        "Follow-up rate: complaints received in the period and followed up or finished "
        "by its end, over the complaints received."
    ),
    "finish_rate": (
        "Finish rate: complaints received in the period and finished by its end, over "
        "the complaints received."
    ),
    "median_days_to_verify": "Median working days from received to verified.",
    "median_days_to_follow_up": "Median working days from received to the first follow-up.",
    "median_days_to_finish": "Median working days from received to finished.",
    "over_sla_verify": (
        "Past the verification limit ({verify} working days after submission, public holidays "
        "excluded): due in the period, verified later or not yet."
    ),
    "over_sla_follow_up": (
        "Past the follow-up limit ({follow_up} working days after the first disposition): due in "
        "the period, followed up later or not yet."
    ),
    "over_sla_finish": (
        "Past the finish limit ({finish} working days after the first follow-up): due in the "
        "period, finished later or not yet."
    ),
    "active": (
        "Active: the regency or city followed up or finished at least one complaint in "
        "the period, or received none."
    ),
}


def definitions(sla: Sla) -> tuple[dict[str, str], dict[str, str]]:
    """What each figure means under a tenant's ``sla`` (its mapping's verify, follow-up
    and finish limits in working days): Indonesian, then English."""
    limits = {
        "verify": sla.verify_days,
        "follow_up": sla.follow_up_days,
        "finish": sla.auto_close_days,
    }
    return (
        {key: text.format_map(limits) for key, text in _DEFINITIONS.items()},
        {key: text.format_map(limits) for key, text in _DEFINITIONS_EN.items()},
    )


#: the definitions under the default SLA (3, 5 and 10 working days)
DEFINITIONS, DEFINITIONS_EN = definitions(Sla())
