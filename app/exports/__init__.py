"""Getting data out: the whole team's data (ZIP of CSVs, JSON) and one person's (subject access)."""
