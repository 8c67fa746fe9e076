"""grandrounds: the shell around the domain packages (settings, app, CLI, auth, errors)."""
