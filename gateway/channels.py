"""What a channel adapter gives the core: its inbound routes and its replier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import APIRouter

from gateway.ports import Replier

if TYPE_CHECKING:
    from gateway.bootstrap import Container


@dataclass(frozen=True)
class ChannelAdapter:
    channel: str
    router: APIRouter | None
    make_replier: Callable[[Container], Replier] | None = None
