"""The records admin pages: legal holds, and the retention schedule in force."""
