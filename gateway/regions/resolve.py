"""The region code of a complaint from what a channel gave: a code, a name or a point,
always inside the tenant's own region. A name that is not exactly one region there is
refused with the closest matches; it never falls back to the province in silence.
"""

from __future__ import annotations

from gateway.regions.gazetteer import CODE, Kind, Resolution, bundled, dotted
from gateway.regions.places import bundled_places


class RegionError(ValueError):
    """A region name that is unknown or ambiguous in the tenant's region; says which."""


def region_code(text: str, within: str) -> str:
    """The Kemendagri code ``text`` gives: a code (``18.71``, ``1871``) as it is, else
    the one region inside ``within`` it names (``Kota Bandar Lampung``, ``kab lamsel``)."""
    code = dotted(text)
    if CODE.match(code):
        return code
    resolution = bundled().resolve(text, within)
    if resolution.region is not None:
        return resolution.region.code
    raise RegionError(_why(text, within, resolution))


def region_at(latitude: float | None, longitude: float | None, within: str) -> str | None:
    """The regency or city inside ``within`` that the point lies in, if it is placed."""
    if latitude is None or longitude is None:
        return None
    found = bundled_places().locate(latitude, longitude, within)
    return found.region.code if found is not None else None


def _why(text: str, within: str, resolution: Resolution) -> str:
    own = bundled().regions.get(within)
    where = f"{own.name} ({within})" if own is not None else within
    listed = ", ".join(f"{m.region.name} ({m.region.code})" for m in resolution.matches[:3])
    if resolution.problem == "ambiguous":
        return f"{text!r} names more than one region of {where}: {listed}; write which"
    elsewhere = bundled().resolve(text).region
    if elsewhere is not None and elsewhere.kind is not Kind.DISTRICT:
        return f"{text!r} is {elsewhere.name} ({elsewhere.code}), outside {where}"
    closest = f"closest: {listed}" if listed else "no region name comes close"
    return f"{text!r} is not a region of {where}; {closest}"
