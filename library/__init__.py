"""The member resource library: guides, templates, recorded webinars and videos, by audience."""
