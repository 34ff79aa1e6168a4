"""Storage: SQLModel tables, the engine, and the transactions of the spine."""
