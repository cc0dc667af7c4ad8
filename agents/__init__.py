"""The Faust worker of the scale-out runtime: ``newswatch worker``, ``faust -A agents.app worker``.

``factory`` builds the app (topics, tables, agents, rules follower, web pages); ``matching`` and
``delivering`` are the two steps; ``tables`` adds awaitable table writes; ``ports`` connects the
delivery steps to Faust and Apprise; ``settings`` reads options or the environment; ``app`` is
the module ``faust -A`` loads. The logic itself lives in ``newswatch`` and is shared with
``newswatch run``.
"""
