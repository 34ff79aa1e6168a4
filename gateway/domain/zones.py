"""Indonesia's three time zones and which province keeps which.

Keppres 41/1987 (in force since 1 January 1988): WIB (UTC+7) for Sumatra, Java,
West and Central Kalimantan; WITA (UTC+8) for Bali, the Nusa Tenggara, South, East
and North Kalimantan and Sulawesi; WIT (UTC+9) for Maluku and Papua. None of them
keeps daylight saving time. Provinces are named by their two-digit Kemendagri code,
the first part of every region code (``63.71`` is Banjarmasin, Kalimantan Selatan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Zone:
    label: str  # WIB, WITA, WIT: what people write after a time
    name: str  # the IANA zone
    offset_hours: int

    @property
    def info(self) -> ZoneInfo:
        return ZoneInfo(self.name)


WIB = Zone("WIB", "Asia/Jakarta", 7)
WITA = Zone("WITA", "Asia/Makassar", 8)
WIT = Zone("WIT", "Asia/Jayapura", 9)

#: every province's Kemendagri code -> its zone (Papua's 2022 provinces are 93-96)
PROVINCE_ZONES: dict[str, Zone] = {
    # Sumatra
    "11": WIB, "12": WIB, "13": WIB, "14": WIB, "15": WIB, "16": WIB, "17": WIB,
    "18": WIB, "19": WIB, "21": WIB,
    # Java
    "31": WIB, "32": WIB, "33": WIB, "34": WIB, "35": WIB, "36": WIB,
    # Bali and the Nusa Tenggara
    "51": WITA, "52": WITA, "53": WITA,
    # Kalimantan: Barat and Tengah WIB, Selatan, Timur and Utara WITA
    "61": WIB, "62": WIB, "63": WITA, "64": WITA, "65": WITA,
    # Sulawesi
    "71": WITA, "72": WITA, "73": WITA, "74": WITA, "75": WITA, "76": WITA,
    # Maluku
    "81": WIT, "82": WIT,
    # Papua
    "91": WIT, "92": WIT, "93": WIT, "94": WIT, "95": WIT, "96": WIT,
}  # fmt: skip
ZONES = {zone.name: zone for zone in (WIB, WITA, WIT)}


def zone_of(region_code: str) -> Zone:
    """The zone of a region code (``63``, ``63.71``, ``6371``); ValueError if no province has it."""
    province = region_code.strip()[:2]
    zone = PROVINCE_ZONES.get(province)
    if zone is None:
        raise ValueError(f"{region_code!r} is in no Indonesian province")
    return zone


def zone_or_wib(region_code: str) -> Zone:
    """The zone of a region code; WIB, the national registry's, for a code in no province."""
    return PROVINCE_ZONES.get(region_code.strip()[:2], WIB)


def zone_named(name: str) -> Zone | None:
    """The zone of an IANA name (``Asia/Makassar``), or None for a zone outside Indonesia."""
    return ZONES.get(name)


_LABEL = re.compile(r"\b(wib|wita|wit)\b")


def stated_zone(text: str) -> Zone | None:
    """The zone a time names itself (``14.05 WITA``), or None."""
    found = _LABEL.search(text.casefold())
    return {"wib": WIB, "wita": WITA, "wit": WIT}[found[1]] if found else None


def local(moment: datetime, zone: Zone) -> datetime:
    """``moment`` (aware, or naive UTC as databases give it back) in ``zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone.info)


def iso_local(moment: datetime, zone: Zone) -> str:
    """``2026-03-21T14:05:00+08:00``: ISO 8601 in ``zone``, with its offset."""
    return local(moment, zone).isoformat(timespec="seconds")


def shown(moment: datetime, zone: Zone, seconds: bool = False) -> str:
    """``2026-03-21 14:05 WITA``: a moment as people read it, with its zone's label."""
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{local(moment, zone).strftime(pattern)} {zone.label}"
