"""The page's HTTP side (Starlette + Jinja2 + htmx): each handler reads its input, calls one
``Desk`` method, and renders a template. No logic here beyond that; see ``newswatch.web.desk``.

Every response carries the security headers (CSP without inline script, no framing, no
sniffing); every POST must carry the CSRF token of the browser's session; templates escape
every value (feeds are hostile: titles carry HTML and script).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from newswatch.errors import NewswatchError
from newswatch.redaction import redact
from newswatch.web.desk import Desk, Filters
from newswatch.web.highlight import paragraphs
from newswatch.web.ruleform import KINDS, SEVERITIES, RuleForm, rule_yaml
from newswatch.web.security import CSP, CsrfGuard, WebAuth

__all__ = ["METRICS_TYPE", "create_app"]

HERE = Path(__file__).parent
SESSION_COOKIE = "nw_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["redact"] = redact  # a feed URL or an error may carry a ${SECRET}
    env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M") + "Z" if d else "—"
    return env


def _saved(name: str) -> Response:
    return RedirectResponse(f"/rules/edit?{urlencode({'file': name, 'saved': 1})}", status_code=303)


class _Guard(BaseHTTPMiddleware):
    """Authentication (off loopback), the session cookie behind CSRF tokens, security headers."""

    def __init__(self, app: Any, auth: WebAuth, csrf: CsrfGuard) -> None:
        super().__init__(app)
        self.auth = auth
        self.csrf = csrf

    async def dispatch(self, request: Request, call_next: Any) -> Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        if not self.auth.allows(headers) and request.url.path != "/health":
            return Response(
                "authentication required\n",
                status_code=401,
                headers={**_HEADERS, "WWW-Authenticate": 'Basic realm="newswatch"'},
            )
        session = request.cookies.get(SESSION_COOKIE)
        fresh = session is None
        if session is None:
            session = self.csrf.new_session()
        request.state.session = session
        request.state.csrf = self.csrf.token(session)
        response: Response = await call_next(request)
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        if fresh:
            response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict", path="/")
        return response


class _Pages:
    """The handlers: read the request, call one ``Desk`` method, render a template."""

    def __init__(self, desk: Desk, guard: CsrfGuard) -> None:
        self.desk = desk
        self.guard = guard
        self.env = _environment()

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.update(request=request, csrf=request.state.csrf, nav=name.split(".")[0])
        return HTMLResponse(self.env.get_template(name).render(context), status_code=status)

    async def posted(self, request: Request) -> FormData:
        form = await request.form()
        token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        if not self.guard.valid(request.cookies.get(SESSION_COOKIE), str(token) if token else None):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
        return form

    def text(self, form: FormData, name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    # --- status --------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        ok, body = self.desk.health()
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics(self, request: Request) -> Response:
        return Response(self.desk.metrics(), media_type=METRICS_TYPE)

    # --- stories -------------------------------------------------------------------------

    async def stories(self, request: Request) -> Response:
        q = request.query_params
        filters = Filters(
            rule=q.get("rule", ""),
            language=q.get("language", ""),
            feed=q.get("feed", ""),
            since=q.get("since", ""),
            fired_only=q.get("all", "") != "1",
        )
        return self.page(
            request,
            "stories.html",
            stories=self.desk.stories(filters),
            filters=filters,
            choices=self.desk.choices(),
        )

    async def article(self, request: Request) -> Response:
        q = request.query_params
        found = self.desk.article(q.get("id", ""), q.get("rule", ""))
        if found is None:
            raise HTTPException(404, "no such article in the archive or the story store")
        return self.page(request, "article.html", page=found)

    # --- rules ---------------------------------------------------------------------------

    async def rules(self, request: Request) -> Response:
        return self.page(
            request, "rules.html", rules=self.desk.rules(), files=self.desk.rule_files()
        )

    async def edit(self, request: Request) -> Response:
        name = request.query_params.get("file", "")
        return self.page(
            request,
            "edit.html",
            file=name,
            text=self.desk.read_rule_file(name),
            saved=request.query_params.get("saved") == "1",
            saved_note=self.desk.saved_note,
            check=None,
        )

    async def check(self, request: Request) -> Response:
        form = await self.posted(request)
        body = self.text(form, "text")
        result = self.desk.check_rule_file(self.text(form, "file"), body)
        return self.page(request, "_problems.html", check=result, lines=body.splitlines())

    async def trial(self, request: Request) -> Response:
        form = await self.posted(request)
        body = self.text(form, "text")
        result = self.desk.try_rule_file(self.text(form, "file"), body, self.text(form, "since"))
        return self.page(request, "_trial.html", trial=result, lines=body.splitlines())

    async def save(self, request: Request) -> Response:
        form = await self.posted(request)
        name, body = self.text(form, "file"), self.text(form, "text")
        result = await self.desk.save_rule_file(name, body)
        if result.ok:
            return _saved(name)
        return self.page(
            request,
            "edit.html",
            status=422,
            file=name,
            text=body,
            saved=False,
            check=result,
            lines=body.splitlines(),
        )

    async def new_rule(self, request: Request) -> Response:
        context: dict[str, Any] = {"kinds": KINDS, "severities": SEVERITIES, "fields": {}}
        if request.method == "POST":
            form = await self.posted(request)
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            built = RuleForm.from_fields(fields)
            yaml_text = rule_yaml(built)
            context.update(fields=fields, yaml=yaml_text)
            if fields.get("action") == "save":
                result = await self.desk.save_rule_file(built.file_name, yaml_text, new=True)
                if result.ok:
                    return _saved(built.file_name)
            else:
                result = self.desk.check_rule_file(built.file_name, yaml_text)
            context.update(check=result, lines=yaml_text.splitlines())
            status = 200 if result.ok else 422
            return self.page(request, "new_rule.html", status=status, **context)
        return self.page(request, "new_rule.html", **context)

    # --- feeds, alerts, silences ---------------------------------------------------------

    async def feeds(self, request: Request) -> Response:
        message = ""
        if request.method == "POST":
            form = await self.posted(request)
            message = await self.desk.add_feed(
                self.text(form, "url"), self.text(form, "feed_id"), self.text(form, "language")
            )
        return self.page(request, "feeds.html", feeds=self.desk.feeds(), message=message)

    async def alerts(self, request: Request) -> Response:
        message = ""
        if request.method == "POST":
            await self.posted(request)
            message = await self.desk.retry()
        return self.page(request, "alerts.html", outbox=self.desk.outbox(), message=message)

    def silence_fields(self, form: FormData) -> tuple[list[str], str, str, str]:
        matchers = [m for m in self.text(form, "matchers").splitlines() if m.strip()]
        return (
            matchers,
            self.text(form, "duration"),
            self.text(form, "author"),
            self.text(form, "comment"),
        )

    async def silences(self, request: Request) -> Response:
        message = ""
        if request.method == "POST":
            form = await self.posted(request)
            made = await self.desk.add_silence(*self.silence_fields(form))
            message = f"silence {made.id} added: {made.describe()}"
        q = request.query_params
        prefill = "\n".join(f"{k}={q[k]}" for k in ("story", "rule", "feed") if q.get(k))
        return self.page(
            request,
            "silences.html",
            silences=self.desk.silences(),
            message=message,
            prefill=prefill,
        )

    async def silence_preview(self, request: Request) -> Response:
        form = await self.posted(request)
        preview = self.desk.preview_silence(*self.silence_fields(form))
        return self.page(request, "_silence_preview.html", preview=preview)

    async def silence_expire(self, request: Request) -> Response:
        await self.posted(request)
        await self.desk.expire_silence(request.path_params["silence_id"])
        return RedirectResponse("/silences", status_code=303)

    # --- errors --------------------------------------------------------------------------

    async def on_error(self, request: Request, exc: Exception) -> Response:
        status = 400
        message = str(exc)
        if isinstance(exc, HTTPException):
            status, message = exc.status_code, str(exc.detail)
        if not hasattr(request.state, "csrf"):  # failed before the guard ran
            return Response(message + "\n", status_code=status, headers=_HEADERS)
        return self.page(request, "error.html", status=status, message=message, code=status)


def create_app(
    desk: Desk, *, auth: WebAuth | None = None, csrf: CsrfGuard | None = None
) -> Starlette:
    guard = csrf or CsrfGuard()
    pages = _Pages(desk, guard)
    routes = [
        Route("/", pages.stories),
        Route("/article", pages.article),
        Route("/rules", pages.rules),
        Route("/rules/edit", pages.edit),
        Route("/rules/check", pages.check, methods=["POST"]),
        Route("/rules/try", pages.trial, methods=["POST"]),
        Route("/rules/save", pages.save, methods=["POST"]),
        Route("/rules/new", pages.new_rule, methods=["GET", "POST"]),
        Route("/feeds", pages.feeds, methods=["GET", "POST"]),
        Route("/alerts", pages.alerts, methods=["GET", "POST"]),
        Route("/silences", pages.silences, methods=["GET", "POST"]),
        Route("/silences/preview", pages.silence_preview, methods=["POST"]),
        Route("/silences/{silence_id}/expire", pages.silence_expire, methods=["POST"]),
        Route("/health", pages.health),
        Route("/metrics", pages.metrics),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(_Guard, auth=auth or WebAuth(), csrf=guard)],
        exception_handlers={HTTPException: pages.on_error, NewswatchError: pages.on_error},
    )
