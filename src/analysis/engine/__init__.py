"""The build engine: paths, configuration, errors, readers, schemas, atomic writes, the numbers registry,
the notebook runner, report assembly, verification, the manifest and the privacy scan.

It knows no chapter: nothing here imports analysis.chapters or analysis.examples.
"""
