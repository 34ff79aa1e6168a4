"""The FastAPI application: channel routes, lookup, health."""
