"""Reproducible review of a migration corridor's rules and procedures (IOM).

Lower layers (paths, config, errors, atomic, io, schema, calendar) know nothing of the analysis
modules; analysis modules never import the report layer (assemble, verify, pipeline).
"""

__version__ = "0.1.0"
