"""Helpers shared by test folders (import as ``tests.support...``)."""
