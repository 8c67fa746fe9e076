"""The rules of accounts: people, credentials (sessions, tokens), organizations."""
