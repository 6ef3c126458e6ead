"""Flash messages and the messages of domain errors are marked for translation, and `make messages`
extracts them (including the second argument of authorize())."""

from __future__ import annotations

import ast
import re
import shlex
from itertools import pairwise
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
MARKERS = {"_", "_l", "gettext", "lazy_gettext", "ngettext"}
MESSAGE_CALLS = {"flash", "DomainError", "NotAllowed", "InvalidTransition", "RatingError", "ImportRejected"}


ERROR_LISTS = {"errors", "problems", "messages"}  # the row-by-row errors of forms and imports


def _name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr == "append":
        return "errors.append" if func.value.id in ERROR_LISTS else None
    return None


def _unmarked_chinese(node: ast.AST) -> list[str]:
    """Chinese string constants under `node` that no gettext call wraps."""
    marked = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and _name(call) in MARKERS:
            marked |= {id(n) for n in ast.walk(call)}
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and CJK.search(n.value)
        and id(n) not in marked
    ]


def test_flash_and_error_messages_are_marked_for_translation():
    unmarked = []
    for path in sorted((ROOT / "supervision").rglob("*.py")):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            name = _name(call)
            if name in MESSAGE_CALLS or name == "errors.append":
                texts = _unmarked_chinese(call.args[0])
            elif name == "authorize" and len(call.args) > 1:
                # authorize() translates its message itself; extraction needs a literal there
                message = call.args[1]
                literal = isinstance(message, ast.Constant) and isinstance(message.value, str)
                texts = [] if literal else [ast.unparse(message)]
            else:
                continue
            unmarked += [f"{path.relative_to(ROOT)}:{call.lineno}: {t[:40]}" for t in texts]
    assert unmarked == []


def _make_messages_keywords() -> dict:
    """The -k options of `make messages`, as Babel reads them."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nmessages:", 1)[1].split("pybabel update", 1)[0].replace("\\\n", " ")
    words = shlex.split(recipe)
    keywords = dict(DEFAULT_KEYWORDS)
    for flag, value in pairwise(words):
        if flag == "-k":
            name, _, spec = value.partition(":")
            keywords[name] = (int(spec),) if spec else None
    return keywords


def test_make_messages_extracts_them():
    extracted = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "supervision"),
            method_map=[("**.py", "python")],
            keywords=_make_messages_keywords(),
        )
    }
    for message in (
        "用户名或密码不正确。",  # services/auth: a constant
        "密码至少需要 %(minimum)s 个字符。",  # formatted
        "只有系统管理员可以维护单位和用户。",  # authorize(…, message)
        "您已安全退出。",  # a flash message
        "已启用用户“%(name)s”。",
        "请先登录。",
        "第 %(row)s 行：上级编码“%(parent_code)s”不存在。",  # an import row's error  # Flask-Login's message, through localize_callback
    ):
        assert message in extracted, message


def test_messages_read_the_same_in_chinese(client, make_user):
    """Marking changed no text: the wrong password and a formatted message read as before."""
    make_user("inspector", username="zhang")
    response = client.post_form("/auth/login", {"username": "zhang", "password": "wrong-pass1"})
    assert "用户名或密码不正确。" in response.get_data(as_text=True)

    from supervision.errors import DomainError
    from supervision.services.org import check_password_rules

    try:
        check_password_rules("a1")
    except DomainError as error:
        assert re.fullmatch(r"密码至少需要 \d+ 个字符。", error.message)
    else:
        raise AssertionError("a short password was accepted")
