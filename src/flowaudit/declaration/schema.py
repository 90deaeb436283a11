"""Where the declaration's JSON Schema is: ``schema.json`` beside this module.

It is the single statement of what keys and values a declaration may hold;
editors can use it too. :mod:`flowaudit.shape` checks a declaration with it
and explains each error at its line.
"""

from __future__ import annotations

from flowaudit.shape import Shape

DECLARATION = Shape("flowaudit.declaration", "schema.json", whole="the declaration")
