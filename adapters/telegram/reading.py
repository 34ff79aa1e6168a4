"""Reading a citizen's text: moved to :mod:`gateway.chat.reading` (kept importable)."""

from __future__ import annotations

from gateway.chat.reading import MAX_WHAT, clean, fill, flat

__all__ = ["MAX_WHAT", "clean", "fill", "flat"]
