"""The canonical JSON intake for trusted systems: ``POST /channels/api/{tenant}/complaints``.

Inbound: the request body is the canonical complaint (:mod:`.parse`). Reply:
trusted systems look complaints up themselves, so notifications are logged
(:mod:`.reply`).
"""
