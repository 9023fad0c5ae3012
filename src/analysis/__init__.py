"""Reproducible review of a migration corridor's rules and procedures (IOM).

Lower layers (paths, config, errors, atomic, io, schema, calendar) know nothing of the analysis
modules; analysis modules never import the report layer (assemble, verify, pipeline).
"""

__version__ = "0.1.0"

import sys as _sys

# jsonschema (through nbformat) imports rfc3987_syntax when it is installed, which compiles a grammar
# for about 0.65 s only to check IRI formats that notebooks never use; every notebook run and report
# build would pay it. Marking it absent makes jsonschema skip that one format check.
_sys.modules.setdefault("rfc3987_syntax", None)
