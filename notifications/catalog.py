"""Every email template with its declared context and sample data.

Each template ``templates/emails/<name>.*`` has a ``<name>.sample.json``
beside it: a description, and for each context key what it means and an
example value. Staff preview every template with its sample, and a test
renders each one strictly, so a template that uses an undeclared key, or a
declaration without a template, is caught before anyone receives it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from grandrounds.resources import email_templates
from notifications.rendering import RenderedEmail, render_email


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    name: str
    description: str
    context: dict[str, str]  # key -> what it means
    sample: dict[str, Any]  # key -> example value


def template_names() -> list[str]:
    return sorted(p.name.removesuffix(".subject.txt") for p in email_templates().glob("*.subject.txt"))


def spec(name: str) -> TemplateSpec | None:
    path = email_templates() / f"{name}.sample.json"
    if name not in template_names() or not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    context = data.get("context", {})
    return TemplateSpec(
        name=name,
        description=str(data.get("description", "")),
        context={key: str(value.get("description", "")) for key, value in context.items()},
        sample={key: value.get("example") for key, value in context.items()},
    )


def all_specs() -> list[TemplateSpec]:
    return [s for name in template_names() if (s := spec(name)) is not None]


def preview(name: str) -> RenderedEmail | None:
    found = spec(name)
    return render_email(name, found.sample) if found else None
