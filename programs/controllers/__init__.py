"""The programs JSON API, one module per resource; see grandrounds.routing for how they are wired."""
