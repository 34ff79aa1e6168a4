"""What a channel adapter gives the core: its inbound routes and its replier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from fastapi import APIRouter
from pydantic import BaseModel, ValidationError

from gateway.mappings.spec import Channel, TenantSpec
from gateway.ports import Replier

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gateway.bootstrap import Container
    from gateway.storage.models import InboundMessage


#: where in the channel's mapping entry (("settings", "mode"),) and what is wrong
ChannelProblem = tuple[tuple[str | int, ...], str]


class Replay(Protocol):
    def __call__(
        self,
        container: Container,
        session: Session,
        inbound: InboundMessage,
        edits: dict[str, str],
    ) -> str | None: ...


def _none(container: Container, inbound: InboundMessage) -> frozenset[str]:
    return frozenset()


@dataclass(frozen=True)
class Replayer:
    """How a channel takes a quarantined raw input again, for the console."""

    #: in the caller's transaction, with the record's fields an operator corrected:
    #: the id of the complaint it made now, if any; raises ``gateway.fieldmap.RecordError``
    take: Replay
    #: whether an operator may correct the input's fields before (a flat record)
    editable: bool = True
    #: the input's fields that hold personal data (masked on the console)
    personal: Callable[[Container, InboundMessage], frozenset[str]] = _none
    #: after a replay committed: tell the channel's service (in the serving process)
    after: Callable[[Container], None] | None = None


class ChannelService(Protocol):
    """Work a channel does in the serving process (a bot's update processing, polling)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class ChannelAdapter:
    channel: str
    router: APIRouter | None
    make_replier: Callable[[Container], Replier] | None = None
    #: checks a mapping's channel entry of this type (its settings and secrets)
    check_channel: Callable[[Channel, TenantSpec], list[ChannelProblem]] | None = None
    #: started with the HTTP app (``gateway serve``), stopped with it
    make_service: Callable[[Container], ChannelService] | None = None
    #: takes a quarantined raw input again (the console's replay)
    replay: Replayer | None = None


T = TypeVar("T")


def kept(container: Container, key: str, make: Callable[[], T]) -> T:
    """What an adapter keeps for the process (a bot per tenant, an HTTP client), made on
    first use and closed with the container (its ``aclose``)."""
    found = container.channels.get(key)
    if found is None:
        found = container.channels[key] = make()
    return cast(T, found)


M = TypeVar("M", bound=BaseModel)


def channel_settings(
    model: type[M], channel: Channel, kind: str
) -> tuple[M | None, list[ChannelProblem]]:
    """A channel entry's ``settings`` as ``model``; or None and each problem at its key."""
    try:
        return model.model_validate(channel.settings), []
    except ValidationError as exc:
        problems: list[ChannelProblem] = []
        for error in exc.errors():
            message = str(error["msg"])
            if error["type"] == "extra_forbidden":
                message = f"unknown {kind} setting (a typo?)"
            problems.append((("settings", *error["loc"]), message))
        return None, problems
