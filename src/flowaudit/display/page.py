"""What every HTML page shares: the Jinja2 settings, the stylesheet and its
Content-Security-Policy hash.

Self-contained and inert by construction: the stylesheet is inlined and
pinned by its hash in a Content-Security-Policy that allows nothing else,
so even a mistake in escaping could not run code or make the file phone
home. Jinja2 autoescapes every value, and every value is first made visible
(:mod:`flowaudit.inert`) so direction tricks and control characters
show as what they are. The HTML report builds on :func:`new_environment`;
the diff's and the study's pages are rendered by :func:`render_page`.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

from flowaudit.datatypes import load_vocabulary, plain_name
from flowaudit.display.words import plural
from flowaudit.engine.rules.data_types import is_sensitive
from flowaudit.inert import punycode, visible
from flowaudit.model import SEVERITIES


def _finalize(value: Any) -> Any:
    """Applied to every ``{{ value }}``: captured text made visible before
    autoescape makes it inert."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return visible(value)


def new_environment(**options: Any) -> Environment:
    """A Jinja2 environment with the settings and names every page shares."""
    env = Environment(
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )
    env.globals.update(
        SEVERITIES=SEVERITIES,
        plural=plural,
        is_sensitive=is_sensitive,
        punycode=punycode,
        data_type_title=data_type_title,
        data_type_name=plain_name,
    )
    return env


def data_type_title(data_type: str) -> str:
    """The id and how the app stores name a data type, for its tooltip."""
    vocabulary = load_vocabulary()
    if data_type not in vocabulary.ids:
        return data_type
    labels = vocabulary.labels(data_type)
    note = f" ({labels.note})" if labels.note else ""
    return f"{data_type} · App Store: {labels.apple}; Google Play: {labels.google}{note}"


def template_source(package: str, name: str) -> str:
    return resources.files(package).joinpath("templates", name).read_text(encoding="utf-8")


@cache
def stylesheet() -> str:
    """The report's stylesheet, which every page uses."""
    css = template_source("flowaudit.reporters", "report.css")
    assert "</" not in css  # it is inlined raw in a <style> element
    return css


def style_hash(css: str) -> str:
    """The CSP source expression that allows exactly this stylesheet."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii") + "'"


@cache
def _template(package: str, name: str) -> Template:
    return new_environment().from_string(template_source(package, name))


def render_page(package: str, name: str, extra_css: str, **context: Any) -> str:
    """Render ``<package>/templates/<name>`` with the report's stylesheet plus
    ``extra_css``, both allowed by hash in the page's CSP and nothing else."""
    css = stylesheet()
    assert "</" not in extra_css  # inlined raw in a <style> element
    return _template(package, name).render(
        css=Markup(css),
        extra_css=Markup(extra_css),
        csp_style=f"{style_hash(css)} {style_hash(extra_css)}",
        **context,
    )
