"""The events JSON API, one module per resource; see grandrounds.server.routing for how they are wired."""
