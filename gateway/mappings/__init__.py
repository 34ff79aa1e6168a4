"""Tenants' mapping files: their schema, their loading with ``file:line`` errors, the
keyword classifier and the reply texts."""
