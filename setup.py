"""Where the packages come from, in the one place pyproject.toml cannot say it.

The templates live in the top-level ``templates/`` folder (pages and emails side by
side, where designers look for them) but are read at run time through the package
``grandrounds.templates`` (see ``grandrounds.resources``), so that an installed
wheel finds them with no source tree around it. Mapping one folder to a package
name (``package_dir``) while finding every other package automatically needs both
lists together, which pyproject.toml's ``packages.find`` table cannot hold. Each
folder under ``templates/`` is listed as a package of its own, or setuptools would
warn that it ships an importable folder it was not told about. Package data is
here too: pyproject.toml's table would replace this one, not add to it. Everything
else (metadata, dependencies, the entry point) stays in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

DOMAIN = ["grandrounds*", "accounts*", "events*", "programs*", "billing*", "notifications*"]
DOMAIN += ["library*", "directory*", "records*"]
TEMPLATES = "grandrounds.templates"
TEMPLATE_FILES = ["*.html", "*.txt", "*.json"]

template_packages = [TEMPLATES]
template_packages += [f"{TEMPLATES}.{name}" for name in find_namespace_packages(where="templates")]

setup(
    packages=[*find_packages(include=DOMAIN), *template_packages],
    package_dir={TEMPLATES: "templates"},
    package_data={"": ["py.typed"], **{name: TEMPLATE_FILES for name in template_packages}},
)
