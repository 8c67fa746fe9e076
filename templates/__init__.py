"""The page and email templates, installed as the package ``grandrounds.templates``.

Nothing here is imported for its code: the package exists so that
:mod:`grandrounds.resources` finds the templates through the installed package,
in the source tree and in a wheel alike.
"""
