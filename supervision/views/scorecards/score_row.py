"""One indicator's row of an assessment, as HTML built in Python: the page shows up to a few hundred.

As a Jinja macro the row cost some 600 function calls (each of its ~45 values through the getattr,
finalize and escape hooks): two thirds of the 100-indicator page's time. Here each value is escaped
once and the row's fixed text (`r.T`, the assessment's URL, the CSRF token) was escaped once per
request (views/scorecards/assessments.py::_row_context). The markup is the macro's, byte for byte;
the messages after a save or a refusal (htmx answers only) stay a macro
(templates/scorecards/_score_row.html).

i: the indicator (id, code, text, max_points, method, responsible); s: its score row or None;
r: what every row shares (mode, base, ratings, options, files, prev_scores, accept, is_weak, csrf, T).
"""

from __future__ import annotations

from typing import Any

from flask import get_template_attribute, url_for
from markupsafe import Markup, escape

from ...numbers import indicator_text as points


def score_row(
    i: Any, s: Any, r: Any, error: str | None = None, saved: bool = False, refused: dict | None = None
) -> Markup:
    """The row's HTML (the markup of templates/scorecards/_score_row.html before this module)."""
    T, mode = r.T, r.mode
    iid, code = str(i.id), escape(i.code)
    url = f"{r.base}/scores/{iid}"  # base: escaped once per request
    weak_now = s and s.evaluated_rating and r.is_weak(s.evaluated_rating, s.evaluated_score, i.max_points)
    max_points = escape(points(i.max_points))
    out = [
        '\n<div data-autosave class="score-row',
        " has-error" if error else "",
        " is-weak" if weak_now else "",
        f'" id="ind-{iid}" data-rated="{1 if s and s.self_rating else 0}" data-testid="score-row-{code}">\n'
        f'  <div class="score-ind">\n    <div><span class="score-code">{code}</span> {escape(i.text)}</div>\n'
        f'    <div class="score-meta">{T.points} {max_points}',
    ]
    if i.method:
        out.append(f" · {T.method}：{escape(i.method)}")
    if i.responsible:
        out.append(f" · {T.responsible}：{escape(i.responsible)}")
    out.append("</div>\n    \n    ")
    out.append(_previous_year(i, r, code))
    out.append('\n  </div>\n  <div class="score-body">\n  ')
    if mode == "self":
        out.append(_self_forms(i, s, r, iid, code, url, max_points))
    else:
        out.append(_self_and_evaluation(i, s, r, iid, code, url, max_points, weak_now))
    out.append("\n  \n  ")
    files = r.files.get(s.id, []) if s else []
    if files:
        out.append('\n  <ul class="list-unstyled score-file-list mb-0">\n    ')
        for f in files:
            href = escape(url_for("files.download", attachment_id=f.id))
            out.append(
                f'<li><a href="{href}"><i class="bi bi-paperclip"></i> {escape(f.original_name)}</a></li>'
            )
        out.append("\n  </ul>\n  ")
    out.append("\n  ")
    if error or saved:
        message = get_template_attribute("scorecards/_score_row.html", "score_message")
        out.append(message(i, r, error=error, saved=saved, refused=refused))
    out.append("\n  </div>\n</div>")
    return Markup("".join(out))


def _previous_year(i: Any, r: Any, code: Markup) -> str:
    """Last year's ratings and points of the indicator, if it was rated."""
    T, ratings = r.T, r.ratings
    p = r.prev_scores.get(i.code) if r.prev_scores else None
    if not (p and (p.self_rating or p.evaluated_rating)):
        return ""
    out = [
        f'\n    <div class="score-meta score-prev" data-testid="prev-{code}"><i class="bi bi-clock-history"></i> '
        f"{T.previous_year}：{T.self} {escape(ratings.get(p.self_rating, '') or '—')}"
    ]
    if p.self_score is not None:
        out.append(f" {escape(points(p.self_score))}")
    if p.evaluated_rating:
        out.append(f" · {T.evaluation} {escape(ratings.get(p.evaluated_rating, ''))}")
        if p.evaluated_score is not None:
            out.append(f" {escape(points(p.evaluated_score))}")
    out.append("</div>\n    ")
    return "".join(out)


def _self_forms(i: Any, s: Any, r: Any, iid: str, code: Markup, url: str, max_points: Markup) -> str:
    T = r.T
    rating = s.self_rating if s else ""
    version = escape(s.version if s else "")
    score = escape(points(s.self_score) if s and s.self_score is not None else "")
    explanation = escape(s.explanation if s else "")
    return (
        f'\n    \n    <form class="score-form" id="score-form-{iid}" method="post" action="{url}"\n'
        f'          hx-post="{url}" hx-trigger="change, submit" hx-target="#ind-{iid}" hx-swap="outerHTML">\n'
        f'      <input type="hidden" name="csrf_token" value="{r.csrf}">\n'
        f'      <input type="hidden" name="version" value="{version}">\n'
        '      <div class="score-inputs">\n'
        f'        <select name="rating" class="form-select form-select-sm" aria-label="{T.self_rating}" data-testid="rating-{code}">\n'
        f'          <option value="">{T.choose}</option>\n'
        f"          {r.options.get(rating) or r.options['']}\n"
        "        </select>\n"
        '        <input type="text" inputmode="decimal" name="score" class="form-control form-control-sm score-input" '
        f'placeholder="{T.score}" aria-label="{T.self_score}"\n'
        f'               value="{score}" data-testid="score-{code}">\n'
        f'        <span class="text-muted small">/ {max_points}</span>\n'
        f'        <button type="submit" class="btn btn-link btn-sm p-0 score-save">{T.save}</button>\n'
        "      </div>\n"
        '      <textarea name="explanation" class="form-control form-control-sm mt-1" rows="1" maxlength="5000" '
        f'placeholder="{T.explanation_hint}" aria-label="{T.explanation}" data-testid="explanation-{code}">{explanation}</textarea>\n'
        "    </form>\n"
        f'    <form class="score-files" method="post" enctype="multipart/form-data" action="{url}/files"\n'
        f'          hx-post="{url}/files" hx-encoding="multipart/form-data" hx-trigger="change" hx-target="#ind-{iid}" hx-swap="outerHTML">\n'
        f'      <input type="hidden" name="csrf_token" value="{r.csrf}">\n'
        f'      <label class="btn btn-outline-secondary btn-sm mb-0" title="{T.upload_evidence}"><i class="bi bi-paperclip"></i> {T.evidence}\n'
        f'        <input type="file" name="files" multiple accept="{r.accept}" class="visually-hidden" data-testid="files-{code}">\n'
        "      </label>\n"
        f'      <noscript><button class="btn btn-sm btn-outline-primary" type="submit">{T.upload}</button></noscript>\n'
        "    </form>\n  "
    )


def _self_and_evaluation(
    i: Any, s: Any, r: Any, iid: str, code: Markup, url: str, max_points: Markup, weak_now: Any
) -> str:
    T, ratings = r.T, r.ratings
    out = [f'\n    <div class="score-self">\n      <span class="text-muted small">{T.self}</span>\n      ']
    if s and s.self_rating:
        out.append(
            f'<span class="rating rating-{escape(s.self_rating)}">{escape(ratings.get(s.self_rating, ""))}</span>'
        )
        if s.self_score is not None:
            out.append(f" <strong>{escape(points(s.self_score))}</strong>")
    else:
        out.append(f'<span class="text-muted">{T.not_rated}</span>')
    out.append("\n      ")
    if s and s.explanation:
        out.append(f'<div class="small score-note">{escape(s.explanation)}</div>')
    out.append("\n    </div>\n    ")
    if r.mode == "evaluate":
        erating = s.evaluated_rating if s else ""
        version = escape(s.version if s else "")
        score = escape(points(s.evaluated_score) if s and s.evaluated_score is not None else "")
        comment = escape(s.comment if s else "")
        out.append(
            f'\n    \n    <form class="score-form mt-1" id="score-form-{iid}" method="post" action="{url}/evaluate"\n'
            f'          hx-post="{url}/evaluate" hx-trigger="change, submit" hx-target="#ind-{iid}" hx-swap="outerHTML">\n'
            f'      <input type="hidden" name="csrf_token" value="{r.csrf}">\n'
            f'      <input type="hidden" name="version" value="{version}">\n'
            '      <div class="score-inputs">\n'
            f'        <select name="rating" class="form-select form-select-sm" aria-label="{T.eval_rating}" data-testid="eval-rating-{code}">\n'
            f'          <option value="">{T.confirm_self}</option>\n'
            f"          {r.options.get(erating) or r.options['']}\n"
            "        </select>\n"
            '        <input type="text" inputmode="decimal" name="score" class="form-control form-control-sm score-input" '
            f'placeholder="{T.score}" aria-label="{T.eval_score}"\n'
            f'               value="{score}" data-testid="eval-score-{code}">\n'
            f'        <span class="text-muted small">/ {max_points}</span>\n'
            f'        <button type="submit" class="btn btn-link btn-sm p-0 score-save">{T.save}</button>\n'
            "      </div>\n"
            '      <textarea name="comment" class="form-control form-control-sm mt-1" rows="1" maxlength="5000" '
            f'placeholder="{T.comment}" aria-label="{T.comment}" data-testid="comment-{code}">{comment}</textarea>\n'
            "    </form>\n    "
        )
    elif s and s.evaluated_rating:
        out.append(
            f'\n    <div class="score-eval mt-1">\n      <span class="text-muted small">{T.evaluation}</span>\n'
            f'      <span class="rating rating-{escape(s.evaluated_rating)}">{escape(ratings.get(s.evaluated_rating, ""))}</span>'
        )
        if s.evaluated_score is not None:
            out.append(f" <strong>{escape(points(s.evaluated_score))}</strong>")
        out.append("\n      ")
        if weak_now:
            out.append(f'<span class="badge text-bg-danger ms-1">{T.weak}</span>')
        out.append("\n      ")
        if s.comment:
            out.append(f'<div class="small score-note">{escape(s.comment)}</div>')
        out.append("\n    </div>\n    ")
    out.append("\n  ")
    return "".join(out)
