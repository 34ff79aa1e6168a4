"""The operator console's foundation: operator accounts, sessions, roles and the audit log."""
