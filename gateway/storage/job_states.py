"""The states of an outbox job (``outbox_job.state``)."""

from __future__ import annotations

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
#: not a state: the job goes back to ``pending`` unattempted (claimed, never started)
RELEASED = "released"
