"""Evaluation and speed benchmarks of the matcher (``make eval``, ``make bench``).

Not part of the installed package: the scripts read research data from ``../shared`` (never
copied into the repository) and write their reports under ``var/``.
"""
