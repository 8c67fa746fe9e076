"""accounts: people, organizations, roles, sessions and API tokens."""
