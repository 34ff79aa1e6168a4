"""How often a point resolves to the right regency or city (gateway.regions.places).

    .venv/bin/python bench/region_accuracy.py

The points are the GeoNames places held out by ``bench/regions_data.py`` (every tenth
by GeoNames id): they are not in the bundled places the resolver searches, so each is a
point it has never seen, labelled with its regency by the same name evidence as the
bundled ones. Capitals (seats of a province or regency: GeoNames PPLC/PPLA/PPLA2) and
the other places (villages and towns in the interior) are counted apart. Each point is
resolved as a tenant would (inside its own province) and across all of Indonesia.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import common  # noqa: F401  (the repository on sys.path)

from gateway.regions.places import bundled_places

POINTS = Path(__file__).resolve().parent / "data" / "region_points.csv"


def main() -> None:
    places = bundled_places()
    with POINTS.open(encoding="utf-8", newline="") as f:
        points = list(csv.DictReader(f))
    tally: Counter[tuple[str, str, str]] = Counter()
    started = time.perf_counter()
    for p in points:
        group = "capitals" if p["capital"] == "1" else "interior"
        lat, lon = float(p["lat"]), float(p["lon"])
        for scope, within in (("province", p["code"][:2]), ("indonesia", None)):
            found = places.locate(lat, lon, within)
            outcome = (
                "none" if found is None else "right" if found.region.code == p["code"] else "wrong"
            )
            tally[(group, scope, outcome)] += 1
    per_point_ms = (time.perf_counter() - started) * 1000 / (2 * len(points))
    print(f"{len(points)} held-out points, {len(places.places)} bundled places")
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
