"""The composition: the app factory, the wiring of every package, background chores and the CLI."""
