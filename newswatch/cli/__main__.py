"""``python -m newswatch.cli``: the same as the ``newswatch`` command."""

from newswatch.cli import main

main()
