"""SMS: Kannel, Gammu SMSD and HTTP aggregators."""
