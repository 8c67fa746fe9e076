"""Consultations: bookable slots and the expert's copy of each booking."""
