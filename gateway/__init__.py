"""lapor-gateway: the regional channel gateway for SP4N-LAPOR!."""

__version__ = "0.1.0"
