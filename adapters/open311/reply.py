"""Open311 is pulled: clients read a request's status with ``GET requests``. A status
change is only logged (no personal data, no response text)."""

from __future__ import annotations

import structlog

from adapters.open311.settings import CHANNEL
from adapters.open311.status import open311_status
from gateway.ports import Notification

log = structlog.get_logger("gateway.notify")


class PulledReplier:
    channel = CHANNEL

    async def send(self, notification: Notification) -> None:
        log.info(
            "open311 status changed; clients pull it",
            tenant=notification.tenant,
            complaint_id=notification.complaint_id,
            tracking_id=notification.tracking_id,
            status=notification.status,
            open311_status=open311_status(notification.status),
            has_response=bool(notification.response),
        )
