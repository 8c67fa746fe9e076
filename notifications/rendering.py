"""Render an outbox message from its templates: subject, plain text and HTML.

Emails get their own Jinja environment: autoescape for .html only, so the
plain-text part is not full of &amp; entities.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from grandrounds.resources import email_templates


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(email_templates()),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_subject(template: str, context: dict[str, Any]) -> str:
    """The subject alone: a queued invite's row holds enough for it before delivery fills the rest."""
    subject = _environment().get_template(f"{template}.subject.txt").render(context).strip()
    return " ".join(subject.split())


def render_email(template: str, context: dict[str, Any]) -> RenderedEmail:
    env = _environment()
    text = env.get_template(f"{template}.txt").render(context)
    html = env.get_template(f"{template}.html").render(context)
    return RenderedEmail(subject=render_subject(template, context), text=text, html=html)
