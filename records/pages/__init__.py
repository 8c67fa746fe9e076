"""The records pages: legal holds, the retention schedule, erasure requests, the audit trail, a person."""
