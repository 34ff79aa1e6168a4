"""A point (WGS84) to the regency or city it lies in, by the nearest known place.

No boundary data is served by the registries this project uses, so the bundled places
(GeoNames cities500 towns and villages of Indonesia, each labelled with its Kemendagri
regency: see ``bench/regions_data.py``) stand in: a point belongs to the regency of the
nearest place. Accuracy on held-out places is in bench/README.md
(``bench/region_accuracy.py``). A point farther than :data:`MAX_KM` from every place of
the region searched is not placed at all.
"""

from __future__ import annotations

import csv
import gzip
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gateway.regions.gazetteer import Gazetteer, Region, bundled

#: no place this close: the point is not in the region searched (sea, another province)
MAX_KM = 50.0
_EARTH_KM = 6371.0


@dataclass(frozen=True)
class Place:
    code: str  # the Kemendagri regency/city it lies in
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Located:
    region: Region
    km: float  # to the nearest place that decided it


class Places:
    def __init__(self, places: list[Place], gazetteer: Gazetteer) -> None:
        self.places = places
        self.gazetteer = gazetteer
        self._inside: dict[str, list[Place]] = {}

    def locate(
        self, latitude: float, longitude: float, within: str | None = None
    ) -> Located | None:
        """The regency or city of the point, among those inside ``within`` (a code prefix)."""
        best: tuple[float, Place] | None = None
        for place in self._candidates(within):
            km = distance_km(latitude, longitude, place.latitude, place.longitude)
            if best is None or km < best[0]:
                best = (km, place)
        if best is None or best[0] > MAX_KM:
            return None
        return Located(self.gazetteer.regions[best[1].code], round(best[0], 1))

    def _candidates(self, within: str | None) -> list[Place]:
        """The places inside ``within``, listed once per region (a tenant's: a few hundred)."""
        if not within:
            return self.places
        found = self._inside.get(within)
        if found is None:
            prefix = within + "."
            found = [p for p in self.places if p.code == within or p.code.startswith(prefix)]
            self._inside[within] = found
        return found


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(h))


@cache
def bundled_places() -> Places:
    """The places shipped in ``gateway/regions/data`` (read once per process)."""
    source = resources.files("gateway.regions") / "data" / "places.csv.gz"
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        rows = [Place(r["code"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f)]
    return Places(rows, bundled())
