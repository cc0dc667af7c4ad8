"""Full-text extraction measured: trafilatura (what newswatch uses) against readability-lxml.

No real article pages are stored here (``../shared`` has feeds and labelled text, not web
pages), so the pages are made: the text of real news articles — MEANTIME's English, Spanish,
Italian and Dutch articles and ECB+'s English ones, read from ``../shared/data/stories`` — each
put into one of four page layouts modelled on news sites (a navigation bar and a cookie banner;
"read also" links and a newsletter box in the middle of the article; comments; a long
footer; an Arabic-script site layout around an English article), and the article's own words
are the gold. Precision and recall are over word tokens (multisets): the article's words kept
(recall), and the words kept that are the article's (precision). The layouts are the weak
point: the figures say how each extractor handles these kinds of boilerplate, not every site.

    .venv/bin/python benchmarks/bench_fulltext.py [--limit 200]

Skips with a message when ``../shared/data`` is absent or readability-lxml is not installed
(``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import code_state, skip_without_data
from benchmarks.eval_stories import ECBPLUS, MEANTIME, read_ecbplus, read_meantime
from feeds.fulltext import extract_text
from feeds.parse import html_to_text

_WORD = re.compile(r"\w+", re.UNICODE)
NAV = " ".join(f'<li><a href="/s{i}">{w}</a></li>' for i, w in enumerate(
    ["Home", "World", "Politics", "Business", "Tech", "Sport", "Culture", "Opinion", "Video"]
))  # fmt: skip
RELATED = "".join(
    f'<li><a href="/r{i}">{t}</a></li>'
    for i, t in enumerate(
        [
            "Markets rally as central banks signal pause",
            "Ten things to know before the weekend",
            "Watch: the storm that stopped a city",
        ]
    )
)


def _paragraphs(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"\n+|(?<=[.!?])\s{2,}", text) if p.strip()]
    return parts or [text]


def layout(title: str, body: str, style: int) -> str:
    """A news page around the article (four styles)."""
    paras = [f"<p>{html.escape(p)}</p>" for p in _paragraphs(body)]
    middle = len(paras) // 2
    if style == 0:
        article = "".join(paras)
        return (
            f"<html><head><title>{html.escape(title)} - Daily Post</title></head><body>"
            f'<header><nav><ul>{NAV}</ul></nav><div class="cookie">We use cookies to improve '
            "your experience. By continuing you agree to our cookie policy.</div></header>"
            f"<main><article><h1>{html.escape(title)}</h1><p class='byline'>By Staff Reporter"
            f"</p>{article}</article></main><footer><p>© 2016 Daily Post. All rights reserved."
            "</p><a href='/terms'>Terms</a> <a href='/privacy'>Privacy</a></footer></body></html>"
        )
    if style == 1:
        article = (
            "".join(paras[:middle])
            + f'<aside class="related"><h4>Read also</h4><ul>{RELATED}</ul></aside>'
            + '<div class="newsletter">Sign up for our morning briefing. Enter your email.'
            + "</div>"
            + "".join(paras[middle:])
        )
        return (
            f"<html><body><div id='top'><ul>{NAV}</ul></div><div class='content'>"
            f"<h1>{html.escape(title)}</h1><div class='story-body'>{article}</div></div>"
            f"<div class='sidebar'><h3>Most read</h3><ul>{RELATED}</ul></div></body></html>"
        )
    if style == 2:
        comments = "".join(
            f"<div class='comment'><b>user{i}</b><p>{c}</p></div>"
            for i, c in enumerate(
                ["Great article, thanks!", "I disagree with the premise entirely.", "Source?"]
            )
        )
        return (
            f"<html><head><title>{html.escape(title)}</title></head><body><nav>{NAV}</nav>"
            f"<article><header><h1>{html.escape(title)}</h1></header>{''.join(paras)}"
            f"</article><section id='comments'><h3>3 comments</h3>{comments}</section>"
            "<footer>"
            + " ".join(f"<a href='/f{i}'>Link {i}</a>" for i in range(30))
            + "</footer></body></html>"
        )
    return (
        "<html lang='ar' dir='rtl'><body><header><ul><li>الرئيسية</li><li>سياسة</li>"
        "<li>اقتصاد</li></ul></header><main><div class='post'>"
        f"<h1>{html.escape(title)}</h1>{''.join(paras)}</div>"
        "<div class='tags'>وسوم: سياسة، اقتصاد</div></main>"
        "<footer>جميع الحقوق محفوظة</footer></body></html>"
    )


def tokens(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def score(got: str, gold: str) -> tuple[float, float]:
    g, t = tokens(got), tokens(gold)
    common = sum((g & t).values())
    precision = common / sum(g.values()) if g else 0.0
    recall = common / sum(t.values()) if t else 1.0
    return precision, recall


def readability_text(page: str, url: str) -> str:
    from readability import Document

    return html_to_text(Document(page).summary(html_partial=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=200, help="articles (default 200)")
    args = parser.parse_args()
    data = skip_without_data("bench_fulltext")
    try:
        import readability  # noqa: F401
    except ImportError:
        print("bench_fulltext: skipped: readability-lxml is not installed ('.[bench]')")
        return 0
    docs = []
    if (data / MEANTIME).is_dir():
        docs += read_meantime(data / MEANTIME)
    if (data / ECBPLUS).is_file():
        docs += read_ecbplus(data / ECBPLUS)
    articles = [d.article for d in docs if len(d.article.content) > 300][: args.limit]
    extractors: dict[str, Callable[[str, str], str]] = {
        "trafilatura": lambda page, url: extract_text(page, url),
        "readability-lxml": readability_text,
    }
    print(f"matcher: {code_state()}")
    print(f"{len(articles)} articles (MEANTIME en/es/it/nl, ECB+ en) x 4 page layouts")
    print(f"{'extractor':<18} | {'P':>6} {'R':>6} | P>=0.9  R>=0.9 | ms/page (median)")
    for name, extract in extractors.items():
        ps, rs, times = [], [], []
        for i, article in enumerate(articles):
            page = layout(article.title, article.content, i % 4)
            url = f"https://news.example.org/{article.id}"
            started = time.perf_counter()
            got = extract(page, url)
            times.append((time.perf_counter() - started) * 1000)
            gold = article.content  # the body; titles are not scored (both keep or drop them)
            p, r = score(got.replace(article.title, " "), gold)
            ps.append(p)
            rs.append(r)
        good_p = sum(p >= 0.9 for p in ps) / len(ps)
        good_r = sum(r >= 0.9 for r in rs) / len(rs)
        print(
            f"{name:<18} | {statistics.mean(ps):6.3f} {statistics.mean(rs):6.3f} | "
            f"{good_p:6.2f}  {good_r:6.2f} | {statistics.median(times):.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
