"""The audit log: who did what to whom and when — append-only, kept as long as the retention rule says."""
