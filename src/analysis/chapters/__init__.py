"""The chapters of the review, one module or package each: inventory, procedures, consultations (with the
REFI-QDA exchange), processing times, benchmark, findings (with validation, feedback and the final gate).

A chapter uses the engine and never another chapter: what one chapter needs from another it reads from
that chapter's processed tables or from the numbers registry.
"""
