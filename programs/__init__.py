"""programs: residency and fellows cohorts, attendance, completion, certificates."""
