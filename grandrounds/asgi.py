"""The ASGI application object that servers import (``grandrounds.asgi:app``)."""

from grandrounds.app import create_app

app = create_app()
