"""Programs tables: cohorts, enrollment, attendance, completion, certificates."""
