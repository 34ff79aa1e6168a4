"""Web forms: regional portals such as LAPORPAMAN, pushed (signed webhook) or pulled
(a legacy table or a JSON REST endpoint), with statuses sent back."""
