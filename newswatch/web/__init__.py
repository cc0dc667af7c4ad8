"""The analysts' web page (docs/web.md): stories with highlighted names, the rule editor with
dry run and diff, feed health, the outbox and silences.

``desk`` (what the page shows, as frozen types, and the ``Desk`` interface a runtime provides),
``highlight``, ``security`` and ``ruleform`` are pure; ``app`` (Starlette + Jinja2 + htmx) and
``server`` (uvicorn inside the daemon's event loop) are the adapters.
"""
