"""Replies for channels that have no way back (yet): one log line, no personal data."""

from __future__ import annotations

import structlog

from gateway.ports import Notification

log = structlog.get_logger("gateway.notify")


class LoggingReplier:
    channel = "*"

    async def send(self, notification: Notification) -> None:
        log.info(
            "notification",
            tenant=notification.tenant,
            channel=notification.channel,
            complaint_id=notification.complaint_id,
            tracking_id=notification.tracking_id,
            status=notification.status,
            has_response=bool(notification.response),
        )
