"""The rule format: YAML files and the entity catalogue → frozen, validated ``Rule``s, every
problem at its ``file:line:col``. (What analysts do with rules — check, test, diff, explain —
is ``newswatch.workflow``.)"""
