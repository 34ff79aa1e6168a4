"""Call centres: a ticket push API, log import, agent lookup and callbacks."""
