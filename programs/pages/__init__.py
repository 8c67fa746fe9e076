"""Server-rendered programs pages: staff run cohorts, learners see where they stand, anyone verifies."""
