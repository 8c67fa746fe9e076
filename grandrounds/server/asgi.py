"""The ASGI application object that servers import (``grandrounds.server.asgi:app``)."""

from grandrounds.server.app import create_app

app = create_app()
