"""The WhatsApp channel (WhatsApp Business Platform, Cloud API): the webhook that
stores each message raw and once, the parsing of every message type into small
channel-neutral events, the statuses of the gateway's own messages, and a thin
Graph API client whose errors say whether to retry."""
