"""What a citizen's text gives the report: the text itself with its paragraphs, and
the place and time it names (read by :mod:`gateway.understanding` through the
:class:`~gateway.chat.state.Context`)."""

from __future__ import annotations

from gateway.chat.state import Context, Draft
from gateway.domain.complaint import MAX_CONTENT

#: the longest complaint text kept (a message is at most 4,096 characters; added
#: paragraphs make a report longer)
MAX_WHAT = MAX_CONTENT


def clean(text: str) -> str:
    """``text`` with each line's spacing tidied and its paragraphs kept: at most one
    empty line between two paragraphs, none at either end."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def flat(text: str) -> str:
    """``text`` on one line (for questions answered in a few words)."""
    return " ".join(text.split())


def fill(draft: Draft, text: str, ctx: Context) -> None:
    """The place and the time ``text`` names, where the draft has none yet."""
    if draft.where is None and draft.latitude is None:
        place = ctx.read_place(text)
        if place is not None and place.text.strip():
            draft.where = flat(place.text)[:500]
            draft.where_region = place.region_code
    if draft.when is None:
        found = ctx.read_when(text, ctx.now)
        if found is not None and found.date <= ctx.today:
            draft.when = found.date.isoformat()
            draft.when_time = found.time.strftime("%H:%M") if found.time is not None else None
