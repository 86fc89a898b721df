"""Render recommendations as a self-contained HTML page. Pure: data in, string out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from paperfeed.digest.email import group_by_interest
from paperfeed.display import paper_url, readable
from paperfeed.models import Recommendation

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:860px;margin:2em auto;
padding:0 1em;color:#1d1d1f;background:#fafafa;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.1em}.sub{color:#666;margin-top:0}
h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em;color:#333}
.item{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:.8em 1em;margin:.7em 0}
.title{font-weight:600;font-size:1.05em;text-decoration:none;color:#0b57d0}
.meta{color:#666;font-size:.85em;margin:.2em 0}.why{font-size:.9em;color:#2e5e2e;margin:.4em 0}
.terms span{display:inline-block;background:#eef4ff;border-radius:4px;padding:0 .4em;margin:0 .2em}
.abs{font-size:.9em;color:#333}.tldr{margin:.3em 0}.score{float:right;color:#999;font-size:.8em}
.followed{color:#7a4b00;font-weight:600;margin:.3em 0}
"""


def _item(rec: Recommendation) -> str:
    p = rec.paper
    url = paper_url(p)
    title = escape(readable(p.display_title))
    head = (
        f'<a class="title" href="{escape(url)}">{title}</a>'
        if url
        else f'<span class="title">{title}</span>'
    )
    meta = [escape(p.id)]
    if p.date:
        meta.append(escape(p.date))
    if p.authors:
        names = ", ".join(p.authors[:6]) + (" et al." if len(p.authors) > 6 else "")
        meta.append(escape(names))
    if p.categories:
        meta.append(escape(" ".join(p.categories[:4])))
    e = rec.explanation
    terms = "".join(f"<span>{escape(t)}</span>" for t in e.shared_terms)
    abstract = readable(p.abstract)
    short = abstract if len(abstract) <= 600 else abstract[:600].rsplit(" ", 1)[0] + " …"
    return (
        f'<div class="item"><span class="score">#{rec.rank} · {rec.score:.2f}</span>{head}'
        f'<div class="meta">{" · ".join(meta)}</div>'
        + (
            f'<div class="followed">★ {escape(readable(rec.followed_note))}</div>'
            * bool(rec.followed)
        )
        + f'<div class="why">Closest to your paper “{escape(readable(e.closest_title))}” '
        f"(similarity {e.similarity:.2f})"
        + (f'<div class="terms">shared terms: {terms}</div>' if terms else "")
        + "</div>"
        + (f'<div class="tldr"><b>TL;DR:</b> {escape(readable(rec.tldr))}</div>' * bool(rec.tldr))
        + f'<div class="abs">{escape(short)}</div></div>'
    )


def render_html(recs: Sequence[Recommendation], *, title: str, subtitle: str = "") -> str:
    """A digest page, items grouped by the named profile interest they serve, best group
    first."""
    sections = []
    for g in group_by_interest(recs):
        body = "".join(_item(r) for r in g.items)
        sections.append(f"<h2>{escape(g.label)} ({len(g.items)})</h2>{body}")
    empty = "<p>No recommendations for this period.</p>" if not recs else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{escape(title)}</h1><p class="sub">{escape(subtitle)}</p>'
        + "".join(sections)
        + empty
        + "</body></html>"
    )
