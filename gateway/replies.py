"""What every channel's replier tells: the tenant's reply text, or a status payload.

A chat or an SMS gets :func:`reply_text` (the tenant's template for the status, in
the citizen's language); a system (a call centre, a portal) gets :func:`status_payload`
(JSON) posted by :func:`post_signed`.
"""

from __future__ import annotations

from typing import Any

import httpx

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.status import Status, status_words
from gateway.ports import Notification
from gateway.storage.models import Complaint
from gateway.tenants import Tenant


def reply_text(
    tenant: Tenant, notification: Notification, complaint: Complaint, language: str
) -> str:
    due = complaint.follow_up_due or complaint.verify_due
    tracking = notification.tracking_id or complaint.tracking_id
    return tenant.reply(
        Status(notification.status),
        language,
        tracking_id=tracking,
        status=status_words(notification.status, language),
        agency=complaint.agency_name,
        response=notification.response,
        due_date=due.strftime("%d/%m/%Y") if due else None,
        title=complaint.title,
        reason=reason_of(notification, complaint, language),
        ref=tracking or complaint.source_ref,
    )


#: an archive the registry gave no reason for, in the citizen's language
NO_ARCHIVE_REASON = {
    "id": "admin SP4N-LAPOR! tidak menyertakan alasannya",
    "en": "the SP4N-LAPOR! admin gave no reason",
}


def reason_of(notification: Notification, complaint: Complaint, language: str) -> str | None:
    """``{reason}``: an archive's is the registry's (the response that came with the
    archive status); otherwise why the gateway could not send the complaint."""
    if notification.status != Status.REJECTED.value:
        return complaint.failure_reason
    reason = (notification.response or "").strip().rstrip(".").strip()
    return reason or NO_ARCHIVE_REASON["en" if language == "en" else "id"]


def status_payload(
    notification: Notification, complaint: Complaint, language: str, *, ref_key: str
) -> dict[str, Any]:
    """The status change as a system wants it; ``ref_key`` names the system's own id."""
    return {
        ref_key: complaint.source_ref,
        "tracking_id": notification.tracking_id or complaint.tracking_id,
        "status": notification.status,
        "status_text": status_words(notification.status, language),
        "agency": complaint.agency_name,
        # a confidential complaint's response stays in the registry
        "response": None if complaint.confidential else notification.response,
        "verify_due": complaint.verify_due.isoformat() if complaint.verify_due else None,
        "follow_up_due": complaint.follow_up_due.isoformat() if complaint.follow_up_due else None,
        "complaint_id": complaint.id,
    }


async def post_signed(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], what: str
) -> None:
    """POST a callback; anything but a 2xx is retryable (the notify job backs off)."""
    try:
        answer = await client.post(
            url, content=body, headers={"Content-Type": "application/json", **headers}
        )
    except httpx.HTTPError as exc:
        raise GatewayError(ErrorKind.RETRYABLE, f"{what}: {type(exc).__name__}") from None
    if not answer.is_success:
        raise GatewayError(ErrorKind.RETRYABLE, f"{what} answered {answer.status_code}")
