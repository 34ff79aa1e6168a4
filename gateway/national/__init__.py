"""The national registry: HTTP client (contract in one module) and errors."""
