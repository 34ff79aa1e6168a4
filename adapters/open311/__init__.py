"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) under ``/open311/v2``.

Apps and city portals that speak Open311 file service requests (``POST requests``)
and follow them (``GET requests``, ``requests/{id}``, ``tokens/{token}``), in JSON or
XML. ``jurisdiction_id`` is the tenant; the services are its mapped ``categories``.
Open311 is pulled by its clients, so status changes are only logged (:mod:`.reply`).
"""
