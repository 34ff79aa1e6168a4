"""How often a point resolves to the right regency or city (gateway.regions.places).

    .venv/bin/python bench/region_accuracy.py

The points are those ``bench/regions_data.py`` wrote to ``bench/data/region_points.csv``:

* interior: every tenth GeoNames place of Indonesia (by id) that is not a seat, held out
  of the bundled places, so each is a village or town the resolver has never seen,
  labelled with its regency by the same name evidence as the bundled ones;
* seats of a regency, city or province (GeoNames PPLC/PPLA/PPLA2): these ARE bundled,
  so each is moved 2 km away first (bearing from its GeoNames id), a point in the seat's
  town that is not the seat's own; a few such points cross a regency's border.

Each point is resolved as a tenant would (inside its own province) and across all of
Indonesia. The resolver's one parameter (50 km) was set before the first run.
"""

from __future__ import annotations

import csv
import math
import time
from collections import Counter
from pathlib import Path

import common  # noqa: F401  (the repository on sys.path)

from gateway.regions.places import bundled_places

POINTS = Path(__file__).resolve().parent / "data" / "region_points.csv"
SEAT_KM = 2.0


def _moved(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point ``km`` away at ``bearing`` degrees (flat earth: fine at 2 km)."""
    north = km * math.cos(math.radians(bearing)) / 111.2
    east = km * math.sin(math.radians(bearing)) / (111.2 * math.cos(math.radians(lat)))
    return lat + north, lon + east


def main() -> None:
    places = bundled_places()
    with POINTS.open(encoding="utf-8", newline="") as f:
        points = list(csv.DictReader(f))
    tally: Counter[tuple[str, str, str]] = Counter()
    started = time.perf_counter()
    for p in points:
        group = "capitals" if p["capital"] == "1" else "interior"
        lat, lon = float(p["lat"]), float(p["lon"])
        if group == "capitals":
            lat, lon = _moved(lat, lon, SEAT_KM, int(p["geonameid"]) * 137.5 % 360)
        for scope, within in (("province", p["code"][:2]), ("indonesia", None)):
            found = places.locate(lat, lon, within)
            outcome = (
                "none" if found is None else "right" if found.region.code == p["code"] else "wrong"
            )
            tally[(group, scope, outcome)] += 1
    per_point_ms = (time.perf_counter() - started) * 1000 / (2 * len(points))
    print(f"{len(points)} points, {len(places.places)} bundled places")
    for group in ("capitals", "interior"):
        for scope in ("province", "indonesia"):
            right, wrong, none = (tally[(group, scope, o)] for o in ("right", "wrong", "none"))
            total = right + wrong + none
            print(
                f"{group:9} within {scope:9}: {right}/{total} right ({100 * right / total:.1f}%),"
                f" {wrong} wrong, {none} not placed"
            )
    print(f"{per_point_ms:.2f} ms per point")


if __name__ == "__main__":
    main()
