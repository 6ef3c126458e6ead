"""A fuzzer over the URL map: hostile numbers and text in every path id, query argument and form
field of the demo district, as each role; no answer may be a server error.

The parameter names are collected from the code (every `request.args` / `*_arg("...")` read in
supervision/ and every form field), so a new parameter is fuzzed without editing this file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from supervision.demo import seed_demo
from supervision.extensions import db
from supervision.models import (
    Assessment,
    AssessmentRound,
    Attachment,
    CaseFile,
    ExtensionRequest,
    FindingCategory,
    Framework,
    Holiday,
    Indicator,
    Notice,
    NoticeItem,
    NoticeKind,
    Notification,
    ReviewAssignment,
    ReviewCampaign,
    RoadmapItem,
    Rubric,
    SupervisionTask,
    Unit,
    User,
)
from supervision.models import Finding as FindingModel

SOURCE = Path(__file__).resolve().parent.parent / "supervision"
HUGE = str(10**20)
HOSTILE = [HUGE, "-1", "99999", "abc", "", "1e5", "nan", "\x00", "9" * 3000]

QUERY_READS = re.compile(
    r"""request\.args\.get\(\s*"(\w+)"|request\.args\[\s*"(\w+)"\s*\]|(?:int_arg|id_arg|year_arg)\(\s*"(\w+)\""""
)
FORM_READS = re.compile(r"""request\.form\.(?:get|getlist)\(\s*"(\w+)"|^\s+(\w+) = \w*Field\(""", re.M)
ALWAYS = {"page", "year", "unit", "inspector", "unit_name", "inspector_name", "kind_id", "finding"}
ALWAYS |= {"reviewer_id", "framework_id", "round", "kind", "campaign", "task", "status", "q", "overdue"}

# Path parts filled with a real row's id; `item_id` is a roadmap item under /scorecards.
MODELS = {
    "assessment_id": Assessment,
    "assignment_id": ReviewAssignment,
    "attachment_id": Attachment,
    "campaign_id": ReviewCampaign,
    "category_id": FindingCategory,
    "ext_id": ExtensionRequest,
    "file_id": CaseFile,
    "finding_id": FindingModel,
    "framework_id": Framework,
    "holiday_id": Holiday,
    "indicator_id": Indicator,
    "item_id": NoticeItem,
    "kind_id": NoticeKind,
    "notice_id": Notice,
    "notification_id": Notification,
    "round_id": AssessmentRound,
    "rubric_id": Rubric,
    "task_id": SupervisionTask,
    "unit_id": Unit,
    "user_id": User,
}
WORDS = {"action": "submit", "fmt": "xlsx", "code": "zh_CN"}
# POSTs that would sign the fuzzing account out or lock it: not what this test is about.
SKIP_POST = {
    "auth.",
    "account.",
    "admin.user_set_active",
    "admin.unit_set_active",
    "admin.user_reset_password",
}


def _names(pattern: re.Pattern, files) -> set[str]:
    names: set[str] = set()
    for path in files:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            names.update(g for g in match.groups() if g)
    return names


QUERY_NAMES = sorted(_names(QUERY_READS, SOURCE.rglob("*.py")) | ALWAYS)
FORM_NAMES = sorted(
    _names(FORM_READS, [*SOURCE.glob("forms/*.py"), *SOURCE.glob("views/**/*.py")]) - {"csrf_token"}
)


def test_the_names_are_collected_from_the_code():
    assert {"page", "year", "unit", "kind", "round", "q", "status", "days"} <= set(QUERY_NAMES)
    assert {"kind_id", "unit_ids", "reviewer_id", "framework_id", "finding", "time_limit_days"} <= set(
        FORM_NAMES
    )


def _first_id(model, **where) -> int:
    query = select(model.id).order_by(model.id)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query.limit(1)) or 1


def _real_ids(user: User) -> dict[str, int]:
    ids = {name: _first_id(model) for name, model in MODELS.items()}
    if user.unit_id:  # the liaison's own unit, so that unit pages get past the scope check
        ids["unit_id"] = user.unit_id
    ids["user_id"] = _first_id(User, role="inspector")
    return ids


def _fill(rule, ids: dict[str, int], value: str | None = None) -> str:
    """The rule's URL with each part a real id (or `value` in every int part)."""
    url = rule.rule
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        if "Integer" in converter or "Id" in converter:
            part = value if value is not None else str(ids.get(name, 1))
            if name == "item_id" and rule.endpoint.startswith("scorecards."):
                part = value if value is not None else str(_first_id(RoadmapItem))
        else:
            part = WORDS.get(name, "x")
        url = re.sub(rf"<[^>]*\b{name}>", part, url)
    return url


def _send(failures: list[str], what: str, send, *args, **kwargs) -> None:
    """One request; a 5xx (or an exception, which the test client raises instead) is a failure."""
    try:
        response = send(*args, **kwargs)
    except Exception as exc:  # every kind of crash is what this test looks for
        db.session.rollback()
        failures.append(f"{type(exc).__name__}: {exc} ← {what}"[:300])
        return
    if response.status_code >= 500:
        failures.append(f"{response.status_code} ← {what}")


def _rules(app, method: str):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or method not in rule.methods:
            continue
        if method == "POST" and any(rule.endpoint.startswith(s) for s in SKIP_POST):
            continue
        yield rule


@pytest.fixture
def demo(app):
    assert seed_demo()
    db.session.commit()
    return {u.username: u for u in db.session.scalars(select(User))}


class Recording(ImmutableMultiDict):
    """request.args / request.form that note which names the code reads, so that each name an
    endpoint really reads is fuzzed alone (a bad name read earlier would hide a later one)."""

    read: ClassVar[set[str]] = set()

    def __getitem__(self, key):
        Recording.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        Recording.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        Recording.read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        Recording.read.add(key)
        return super().__contains__(key)


@pytest.fixture
def recording(app, monkeypatch):
    monkeypatch.setattr(app.request_class, "parameter_storage_class", Recording)


def _names_read(failures: list[str], what: str, send, *args, **kwargs) -> set[str]:
    Recording.read = set()
    _send(failures, what, send, *args, **kwargs)
    return Recording.read - {"csrf_token"}


ROLES = ("lead", "inspector1", "liaison1", "admin")
ALONE = {"lead": [HUGE, "-1", "99999", "abc"]}  # the account that sees the most gets every value
ALONE_OTHERS = [HUGE, "-1"]  # the two that broke pages: overflow and year -1


def test_no_query_argument_or_path_id_gives_a_server_error(app, client, demo, recording):
    failures: list[str] = []
    seen: set[str] = set()
    for username in ROLES:
        user = demo[username]
        ids = _real_ids(user)
        client.login_user(user)
        for rule in _rules(app, "GET"):
            url = _fill(rule, ids)
            if rule.arguments and username == "lead":  # the converter is the same for everyone
                for bad in (HUGE, "-1"):
                    _send(failures, f"GET {_fill(rule, ids, bad)}", client.get, _fill(rule, ids, bad))
            probe = {name: "2026" if "year" in name else "1" for name in QUERY_NAMES}  # valid everywhere
            names = _names_read(failures, f"{username} GET {url}", client.get, url, query_string=probe)
            seen |= names
            for value in ("", "9" * 3000):  # every name at once: blank and very long
                query = dict.fromkeys(names, value)
                _send(
                    failures, f"{username} GET {url} all={value[:9]!r}", client.get, url, query_string=query
                )
            for name in sorted(names):
                for value in ALONE.get(username, ALONE_OTHERS):
                    what = f"{username} GET {url}?{name}={value}"
                    _send(failures, what, client.get, url, query_string={name: value})
    assert not failures, "\n".join(failures[:40])
    assert {"page", "year", "unit", "kind", "round", "status", "q", "campaign", "task", "days"} <= seen


def test_a_nul_character_anywhere_is_a_400(client, login_as):
    login_as("lead")
    assert client.get("/tasks/findings", query_string={"q": "a\x00b"}).status_code == 400
    assert client.get("/tasks/", query_string={"x\x00": "1"}).status_code == 400
    assert client.post_form("/tasks/new", {"title": "\x00"}).status_code == 400


def test_no_form_field_gives_a_server_error(app, client, demo):
    failures: list[str] = []
    for username in ROLES:
        user = demo[username]
        ids = _real_ids(user)
        client.login_user(user)
        for rule in _rules(app, "POST"):
            url = _fill(rule, ids)
            for value in HOSTILE if username == "lead" else [HUGE, "-1", "nan", "9" * 3000]:
                data = dict.fromkeys(FORM_NAMES, value)
                _send(failures, f"{username} POST {url} all={value[:9]!r}", client.post_form, url, data)
    assert not failures, "\n".join(failures[:40])


# --- the create and edit forms, filled as a user would, with one id or number made hostile ---------

FORM_USERS = ("lead", "inspector1", "admin")
EXTRA_FORMS = ["/notices/new?unit={unit}"]  # the draft form needs its unit


def _filled(form) -> list[tuple[str, str]]:
    """What a user would submit: the form's own values, with every empty field given a plausible one."""
    values = [(k, v) for k, v in form.form_values() if k]
    given = {k for k, v in values if v}
    for element in form.inputs:
        name, kind = element.get("name"), (element.get("type") or element.tag).lower()
        if not name or name in given or kind in ("file", "submit", "button", "hidden"):
            continue
        given.add(name)
        values = [(k, v) for k, v in values if k != name]
        if element.tag == "select":
            options = [o.get("value") for o in element.iter("option") if o.get("value")]
            values += [(name, options[0])] if options else []
        elif kind in ("checkbox", "radio"):
            values.append((name, element.get("value") or "1"))
        else:
            values.append((name, {"date": "2026-03-02", "number": "1"}.get(kind, "测试")))
    return values


def _numeric_fields(values: list[tuple[str, str]]) -> list[str]:
    """The fields whose value is a whole number: ids, versions, years, days."""
    return sorted({k for k, v in values if v.lstrip("-").isdigit() and k != "csrf_token"})


def test_no_id_or_number_in_a_filled_form_gives_a_server_error(app, client, demo):
    import lxml.html

    unit = db.session.scalar(select(FindingModel.unit_id).where(FindingModel.status == "open").limit(1))
    failures: list[str] = []
    tried = 0
    for username in FORM_USERS:
        user = demo[username]
        ids = _real_ids(user)
        client.login_user(user)
        urls = [_fill(r, ids) for r in _rules(app, "POST") if "GET" in r.methods]
        for url in urls + [u.format(unit=unit) for u in EXTRA_FORMS]:
            page = client.get(url)
            if page.status_code != 200 or "html" not in page.mimetype:
                continue
            for form in lxml.html.fromstring(page.get_data(as_text=True)).forms:
                if (form.method or "").lower() != "post" or form.get("action") not in (None, "", url):
                    continue
                values = _filled(form)
                for name in _numeric_fields(values):
                    for value in (HUGE, "-1"):
                        data = MultiDict([(k, value if k == name else v) for k, v in values])
                        tried += 1
                        _send(failures, f"{username} POST {url} {name}={value}", client.post, url, data=data)
    assert not failures, "\n".join(failures[:40])
    assert tried > 100
