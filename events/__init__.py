"""events: conferences, webinars, workshops, consultations, registration, check-in."""
