"""Where the files read at run time live: the page and email templates.

They sit in the top-level ``templates/`` folder of the source tree, which is
installed as the package ``grandrounds.templates`` (see setup.py). Finding them
through the package, never by a path relative to this file, is what lets an
installed wheel, with no source tree anywhere, serve pages and render mail; the
editable install of the tree maps the same package name to the same folder.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

TEMPLATES_PACKAGE = "grandrounds.templates"


@cache
def templates_root() -> Path:
    """The folder holding ``pages/`` and ``emails/``.

    A real folder is required: Jinja's file loader and the template catalogue list
    and read files by path. Installs unpack wheels onto disk; an import from a zip
    archive is refused here, in words, rather than failing later on a missing page.
    """
    root = files(TEMPLATES_PACKAGE)
    if not isinstance(root, Path) or not root.is_dir():
        raise RuntimeError(f"the templates of {TEMPLATES_PACKAGE} are not a folder on disk ({root!r})")
    return root


def page_templates() -> Path:
    """Templates of the web pages (Litestar's Jinja engine)."""
    return templates_root() / "pages"


def email_templates() -> Path:
    """Templates of the emails: subject, text and HTML part and sample data of each message."""
    return templates_root() / "emails"
