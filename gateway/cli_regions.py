"""``gateway regions find NAME``: what a region name resolves to, and ``gateway regions at
LAT LON``: which regency or city a point lies in (the bundled gazetteer, no network)."""

from __future__ import annotations

from typing import Annotated

import typer

from gateway.regions.gazetteer import Match, bundled
from gateway.regions.places import MAX_KM, bundled_places

regions_app = typer.Typer(
    help="Indonesia's regions (Kemendagri codes): names and points", no_args_is_help=True
)

_TEXTS: dict[str, dict[str, object]] = {
    "id": {
        "header": "kode\tjenis\tnama\tprovinsi\tskor",
        "kind": {
            "provinsi": "provinsi",
            "kabupaten": "kabupaten",
            "kota": "kota",
            "kecamatan": "kecamatan",
        },
        "resolves": "{text!r} = {code} {name}",
        "ambiguous": "{text!r} ambigu: lebih dari satu wilayah bernama begitu",
        "unknown": "{text!r} tidak dikenal; yang paling mirip:",
        "nothing": "{text!r} tidak dikenal dan tidak ada yang mirip",
        "at": "{lat}, {lon} = {code} {name} (tempat terdekat {km} km)",
        "outside": "{lat}, {lon}: tidak ada tempat dalam {km} km di wilayah itu",
    },
    "en": {
        "header": "code\tkind\tname\tprovince\tscore",
        "kind": {
            "provinsi": "province",
            "kabupaten": "regency",
            "kota": "city",
            "kecamatan": "district",
        },
        "resolves": "{text!r} = {code} {name}",
        "ambiguous": "{text!r} is ambiguous: more than one region has that name",
        "unknown": "{text!r} is not known; the closest:",
        "nothing": "{text!r} is not known and nothing comes close",
        "at": "{lat}, {lon} = {code} {name} (nearest place {km} km)",
        "outside": "{lat}, {lon}: no place within {km} km in that region",
    },
}

Lang = Annotated[str, typer.Option("--lang", help="id (Bahasa Indonesia) or en")]
Within = Annotated[
    str | None, typer.Option(help="Only inside this region code (a tenant's, e.g. 18)")
]


def _texts(lang: str) -> dict[str, object]:
    if lang not in _TEXTS:
        typer.echo("--lang: id or en", err=True)
        raise typer.Exit(2)
    return _TEXTS[lang]


@regions_app.command("find")
def find(
    name: Annotated[str, typer.Argument(help='A region name, e.g. "kab lamsel"')],
    within: Within = None,
    lang: Lang = "id",
) -> None:
    """What NAME resolves to: code, kind, name, province and score (1 = a name of it)."""
    texts = _texts(lang)
    gazetteer = bundled()
    resolution = gazetteer.resolve(name, within)
    if resolution.region is not None:
        r = resolution.region
        typer.echo(str(texts["resolves"]).format(text=name, code=r.code, name=r.name))
        _table(texts, [resolution.matches[0] if resolution.matches else Match(r, 1.0)])
        return
    matches = list(resolution.matches)
    if not matches:
        typer.echo(str(texts["nothing"]).format(text=name))
        raise typer.Exit(1)
    typer.echo(str(texts[resolution.problem or "unknown"]).format(text=name))
    _table(texts, matches)
    raise typer.Exit(1)


@regions_app.command("at")
def at(
    lat: Annotated[float, typer.Argument(help="WGS84 latitude, e.g. -5.43")],
    lon: Annotated[float, typer.Argument(help="WGS84 longitude, e.g. 105.26")],
    within: Within = None,
    lang: Lang = "id",
) -> None:
    """The regency or city the point lies in (its nearest bundled place)."""
    texts = _texts(lang)
    places = bundled_places()
    found = places.locate(lat, lon, within)
    if found is None:
        typer.echo(str(texts["outside"]).format(lat=lat, lon=lon, km=MAX_KM))
        raise typer.Exit(1)
    r = found.region
    typer.echo(str(texts["at"]).format(lat=lat, lon=lon, code=r.code, name=r.name, km=found.km))


def _table(texts: dict[str, object], matches: list[Match]) -> None:
    kinds = texts["kind"]
    assert isinstance(kinds, dict)
    typer.echo(str(texts["header"]))
    for m in matches:
        r = m.region
        typer.echo(f"{r.code}\t{kinds[r.kind.value]}\t{r.name}\t{r.province}\t{m.score:.2f}")
