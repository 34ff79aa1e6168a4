"""The place a free text names (stub: filled in by issue 18)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    text: str  # as the citizen wrote it, e.g. "Jl. Ryacudu depan Gg. Mawar, Way Halim"
    region_code: str | None  # the gazetteer's code when a regency, city, kecamatan is named


def find_place(text: str, *, region_code: str | None = None) -> Place | None:
    """The place ``text`` names, or None. ``region_code`` is the tenant's region."""
    return None
