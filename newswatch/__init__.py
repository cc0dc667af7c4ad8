"""newswatch: a streaming news monitor for named officials and places, in many scripts."""

__version__ = "0.1.0"
