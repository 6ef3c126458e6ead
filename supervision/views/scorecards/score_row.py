"""The assessment's indicator rows, as HTML built in Python: the page shows up to a few hundred.

As a Jinja macro a row cost some 600 function calls (each of its ~45 values through the getattr,
finalize and escape hooks). Here a row is one string: the values users or the framework wrote are
escaped once each, the row's fixed text (`r.T`, the assessment's URL, the CSRF token, the rating
labels and options) was escaped once per request (views/scorecards/assessments.py::_row_context),
and a row reads a tuple (queries/scorecards.py::ScoreLine), not a database row object. All of it
plain `str` until the end: a Markup in an f-string costs twice a str. The markup is the macro's,
byte for byte; the messages after a save or a refusal (htmx answers only) stay a macro
(templates/scorecards/_score_row.html).

line: the indicator with its score and files (queries.ScoreLine); r: what every row shares (mode,
base, ratings, labels, options, prev_scores, accept, is_weak, csrf, T).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import get_template_attribute, url_for
from markupsafe import Markup

from ...macros import status_badge
from ...numbers import indicator_text
from ...template_gettext import kept_on_catalogue
from ...workflow import status_labels

# An indicator's points as text (numbers.indicator_text), kept by value and type: the pages write
# the same few figures (2, 1, 0.5) hundreds of times, and this is one C call, not three in Python.
points = lru_cache(maxsize=4096, typed=True)(indicator_text)


def _replace_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


try:  # markupsafe.escape's own C function on a str, without the Markup around it (5× the replaces)
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - markupsafe built without its speedups
    _escape_inner = _replace_escape


def esc(value: Any) -> str:
    """markupsafe.escape's text (& < > " ' as &amp; &lt; &gt; &#34; &#39;), as a str."""
    return _escape_inner(value if type(value) is str else str(value))


def score_list(lines: list, parents: dict, r: Any) -> Markup:
    """The page's rows, each area's and group's heading before its first indicator: what
    templates/scorecards/assessment.html's loop over the leaves wrote."""
    out = []
    area = parent = None
    for line in lines:
        out.append("\n    ")
        if line.area_id != area:
            area = line.area_id
            if area in parents:
                heading = parents[area]
                out.append(f'<h2 class="score-area">{esc(heading.code)} {esc(heading.text)}</h2>')
        out.append("\n    ")
        if line.parent_id != parent:
            parent = line.parent_id
            if parent != area and parent in parents:
                heading = parents[parent]
                out.append(f'<h3 class="score-group">{esc(heading.code)} {esc(heading.text)}</h3>')
        out.append("\n    ")
        out.append(_row(line, r))
        out.append("\n  ")
    return Markup("".join(out))


def score_row(
    line: Any, r: Any, error: str | None = None, saved: bool = False, refused: dict | None = None
) -> Markup:
    """One row (the htmx answer after a save), with the message under it."""
    message = ""
    if error or saved:
        macro = get_template_attribute("scorecards/_score_row.html", "score_message")
        message = str(macro(line, r, error=error, saved=saved, refused=refused))
    return Markup(_row(line, r, error, message))


def _row(line: Any, r: Any, error: str | None = None, message: str = "") -> str:
    T = r.T
    iid, code = str(line.id), esc(line.code)
    url = f"{r.base}/scores/{iid}"  # base: escaped once per request
    rating = line.evaluated_rating
    weak_now = rating and r.is_weak(rating, line.evaluated_score, line.max_points)
    max_points = points(line.max_points)  # digits: nothing to escape
    meta = ""
    if line.method:
        meta = f" · {T.method}：{esc(line.method)}"
    if line.responsible:
        meta += f" · {T.responsible}：{esc(line.responsible)}"
    if r.mode == "self":
        body = _self_forms(line, r, iid, code, url, max_points)
    else:
        body = _self_and_evaluation(line, r, iid, code, url, max_points, weak_now)
    files = ""
    if line.files:
        files = "".join(
            f'<li><a href="{esc(url_for("files.download", attachment_id=file_id))}">'
            f'<i class="bi bi-paperclip"></i> {esc(name)}</a></li>'
            for file_id, name in line.files
        )
        files = f'\n  <ul class="list-unstyled score-file-list mb-0">\n    {files}\n  </ul>\n  '
    return (
        f'\n<div data-autosave class="score-row{" has-error" if error else ""}{" is-weak" if weak_now else ""}"'
        f' id="ind-{iid}" data-rated="{1 if line.self_rating else 0}" data-testid="score-row-{code}">\n'
        f'  <div class="score-ind">\n    <div><span class="score-code">{code}</span> {esc(line.text)}</div>\n'
        f'    <div class="score-meta">{T.points} {max_points}{meta}</div>\n    \n    '
        f"{_previous_year(line, r, code)}"
        f'\n  </div>\n  <div class="score-body">\n  {body}\n  \n  {files}\n  {message}\n  </div>\n</div>'
    )


def _previous_year(line: Any, r: Any, code: str) -> str:
    """Last year's ratings and points of the indicator, if it was rated."""
    p = r.prev_scores.get(line.code) if r.prev_scores else None
    if not (p and (p.self_rating or p.evaluated_rating)):
        return ""
    T, labels = r.T, r.labels
    out = (
        f'\n    <div class="score-meta score-prev" data-testid="prev-{code}"><i class="bi bi-clock-history"></i> '
        f"{T.previous_year}：{T.self} {labels.get(p.self_rating, '') or '—'}"
    )
    if p.self_score is not None:
        out += f" {points(p.self_score)}"
    if p.evaluated_rating:
        out += f" · {T.evaluation} {labels.get(p.evaluated_rating, '')}"
        if p.evaluated_score is not None:
            out += f" {points(p.evaluated_score)}"
    return out + "</div>\n    "


def _self_forms(line: Any, r: Any, iid: str, code: str, url: str, max_points: str) -> str:
    T = r.T
    version = "" if line.version is None else line.version
    score = "" if line.self_score is None else points(line.self_score)
    explanation = "" if line.explanation is None else esc(line.explanation)
    return (
        f'\n    \n    <form class="score-form" id="score-form-{iid}" method="post" action="{url}"\n'
        f'          hx-post="{url}" hx-trigger="change, submit" hx-target="#ind-{iid}" hx-swap="outerHTML">\n'
        f'      <input type="hidden" name="csrf_token" value="{r.csrf}">\n'
        f'      <input type="hidden" name="version" value="{version}">\n'
        '      <div class="score-inputs">\n'
        f'        <select name="rating" class="form-select form-select-sm" aria-label="{T.self_rating}" data-testid="rating-{code}">\n'
        f'          <option value="">{T.choose}</option>\n'
        f"          {r.options.get(line.self_rating) or r.options['']}\n"
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
    line: Any, r: Any, iid: str, code: str, url: str, max_points: str, weak_now: Any
) -> str:
    T, labels = r.T, r.labels
    out = f'\n    <div class="score-self">\n      <span class="text-muted small">{T.self}</span>\n      '
    if line.self_rating:
        out += (
            f'<span class="rating rating-{esc(line.self_rating)}">{labels.get(line.self_rating, "")}</span>'
        )
        if line.self_score is not None:
            out += f" <strong>{points(line.self_score)}</strong>"
    else:
        out += f'<span class="text-muted">{T.not_rated}</span>'
    out += "\n      "
    if line.explanation:
        out += f'<div class="small score-note">{esc(line.explanation)}</div>'
    out += "\n    </div>\n    "
    if r.mode == "evaluate":
        version = "" if line.version is None else line.version
        score = "" if line.evaluated_score is None else points(line.evaluated_score)
        comment = "" if line.comment is None else esc(line.comment)
        out += (
            f'\n    \n    <form class="score-form mt-1" id="score-form-{iid}" method="post" action="{url}/evaluate"\n'
            f'          hx-post="{url}/evaluate" hx-trigger="change, submit" hx-target="#ind-{iid}" hx-swap="outerHTML">\n'
            f'      <input type="hidden" name="csrf_token" value="{r.csrf}">\n'
            f'      <input type="hidden" name="version" value="{version}">\n'
            '      <div class="score-inputs">\n'
            f'        <select name="rating" class="form-select form-select-sm" aria-label="{T.eval_rating}" data-testid="eval-rating-{code}">\n'
            f'          <option value="">{T.confirm_self}</option>\n'
            f"          {r.options.get(line.evaluated_rating) or r.options['']}\n"
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
    elif line.evaluated_rating:
        out += (
            f'\n    <div class="score-eval mt-1">\n      <span class="text-muted small">{T.evaluation}</span>\n'
            f'      <span class="rating rating-{esc(line.evaluated_rating)}">{labels.get(line.evaluated_rating, "")}</span>'
        )
        if line.evaluated_score is not None:
            out += f" <strong>{points(line.evaluated_score)}</strong>"
        out += "\n      "
        if weak_now:
            out += f'<span class="badge text-bg-danger ms-1">{T.weak}</span>'
        out += "\n      "
        if line.comment:
            out += f'<div class="small score-note">{esc(line.comment)}</div>'
        out += "\n    </div>\n    "
    return out + "\n  "


# --- the weak indicators' table (短板指标, an evaluated or finalized assessment) ------------------


def weak_list(weak: list, roadmap: dict, w: Any) -> Markup:
    """The rows of templates/scorecards/assessment.html's weak table, each with its roadmap item or
    the link to draw one up: what the template's loop wrote, byte for byte. weak: the weak lines
    (queries.ScoreLine, the indicator and its score); roadmap: indicator id → queries.RoadmapLine;
    w: what every row shares, once per request (assessments.py::_weak_context)."""
    if not weak:
        return Markup(f'\n        <tr><td colspan="4" class="empty-state">{w.none}</td></tr>\n      ')
    out = []
    for line in weak:
        code = esc(line.code)
        item = roadmap.get(line.id)
        if item is not None:
            badge = w.badges.get(item.status) or str(w.badge(item.status))
            cell = f'<a href="{w.item_base}{item.id}{w.item_after}">{badge} {esc(w.cn_date(item.due_date))}</a>\n            '
        elif w.can_manage:
            cell = (
                f'\n              <a class="btn btn-sm btn-outline-danger" href="{w.new_url(line.id)}"'
                f' data-testid="roadmap-new-{code}"><i class="bi bi-plus"></i> {w.draw_up}</a>\n            '
            )
        else:
            cell = f'<span class="text-danger small">{w.not_drawn}</span>'
        out.append(
            f"\n        <tr>\n          <td>{code}</td><td>{esc(line.text)}</td>\n"
            f'          <td class="text-nowrap">{w.labels.get(line.evaluated_rating, "")} '
            f"{esc(points(line.evaluated_score))}/{esc(points(line.max_points))}</td>\n"
            f'          <td class="text-nowrap">\n            {cell}\n          </td>\n        </tr>\n      '
        )
    return Markup("".join(out))


def roadmap_badges() -> dict[str, str]:
    """Each roadmap status's badge as the status_badge macro makes it, kept per catalogue (a status
    not in the machine: status_badge itself)."""
    return kept_on_catalogue(
        "_scorecard_roadmap_badges",
        lambda _gettext: {
            status: str(status_badge("roadmap", status)) for status in status_labels("roadmap")
        },
    )
