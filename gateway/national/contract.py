"""The national registry's wire contract: every path and field name, in one place.

The real integration API is issued per K/L/D developer account; when its names
differ from the sandbox's, this module is the only one to change.
"""

from __future__ import annotations

API_PREFIX = "/api/v1"

TOPICS = f"{API_PREFIX}/topics"
AGENCIES = f"{API_PREFIX}/agencies"
COMPLAINTS = f"{API_PREFIX}/complaints"
CHANGES = f"{API_PREFIX}/changes"


def complaint_path(tracking_id: str) -> str:
    return f"{COMPLAINTS}/{tracking_id}"


def comments_path(tracking_id: str) -> str:
    return f"{COMPLAINTS}/{tracking_id}/comments"


# query parameters
Q_EXTERNAL_REF = "external_ref"
Q_CURSOR = "cursor"
Q_LIMIT = "limit"

# submission body fields
F_EXTERNAL_REF = "external_ref"
F_TITLE = "title"
F_CONTENT = "content"
F_CLASSIFICATION = "classification"
F_TOPIC_ID = "topic_id"
F_AGENCY_CODE = "agency_code"
F_REGION_CODE = "region_code"
F_LOCATION = "location"
F_LATITUDE = "latitude"
F_LONGITUDE = "longitude"
F_INCIDENT_DATE = "incident_date"
#: optional, sent only when the incident's time is known (ISO 8601 with its offset);
#: a registry that predates it never sees the key
F_INCIDENT_AT = "incident_at"
F_ANONYMOUS = "anonymous"
F_CONFIDENTIAL = "confidential"
F_CHANNEL = "channel"
F_REPORTER = "reporter"
F_REPORTER_NAME = "name"
F_REPORTER_PHONE = "phone"
F_REPORTER_EMAIL = "email"
F_ATTACHMENTS = "attachments"
# an attachment: a link the registry fetches (``url``, absolute), or the file itself
# (``content``, base64, with its ``sha256``) when the gateway has no public address
F_ATTACHMENT_URL = "url"
F_ATTACHMENT_CONTENT = "content"
F_ATTACHMENT_SHA256 = "sha256"

# response fields
R_TRACKING_ID = "tracking_id"
R_STATUS = "status"
R_CREATED_AT = "created_at"
R_EXTERNAL_REF = "external_ref"
R_AGENCY_CODE = "agency_code"
R_AGENCY_NAME = "agency_name"
#: optional on a change event: the national topic after it (verification may reclassify)
R_TOPIC_ID = "topic_id"
R_HISTORY = "history"
R_RESPONSE = "response"
R_AT = "at"
R_EVENTS = "events"
R_NEXT_CURSOR = "next_cursor"
R_ERRORS = "errors"
R_COMMENT_TEXT = "text"
R_COMMENT_AUTHOR = "author"

NATIONAL_STATUSES = (
    "belum_terverifikasi",
    "terverifikasi",
    "terdisposisi",
    "ditindaklanjuti",
    "selesai",
    "diarsipkan",
)
R_ITEMS = "items"
R_ID = "id"
R_PARENT_ID = "parent_id"
R_NAME = "name"
R_CODE = "code"
R_LEVEL = "level"
# one field error in a 400 body: {"errors": [{"field": ..., "message": ...}]};
# FastAPI's {"detail": [{"loc": [...], "msg": ...}]} is read too
ERROR_FIELD_KEYS = ("field", "loc", "path")
ERROR_MESSAGE_KEYS = ("message", "msg", "detail")
R_DETAIL = "detail"
