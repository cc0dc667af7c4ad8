"""The analysts' workflow on rules: check (lints and examples), test (dry run), diff (an
edit over past articles) and explain (why a rule fired); pure but for ``git`` and ``sources``."""
