"""The templates' Jinja environment: Flask's, with a template's globals whose keys are a dict's.

Each `{% import %}` or `{% from … import %}` asks Jinja which of the render's globals the imported
template lacks (`ctx.globals_keys - template.globals.keys()`). A template's globals are a ChainMap
of its own and the app's, whose keys() is a Python KeysView: the difference then asks the ChainMap
about each of the app's ~60 globals in Python, some 25 µs per import and a page imports several
macro files. Here keys() is the same set of names as a plain dict's keys view, so the difference is
taken in C; lookups and writes go through the ChainMap as before.
"""

from __future__ import annotations

from collections import ChainMap
from itertools import chain

from flask.templating import Environment


class TemplateGlobals(ChainMap):
    def keys(self):  # type: ignore[override]
        return dict.fromkeys(chain.from_iterable(self.maps)).keys()


class SupervisionEnvironment(Environment):
    def make_globals(self, d):
        if d is None:
            d = {}
        return TemplateGlobals(d, self.globals)
