"""The one place numbers typed or sent by users are read: whole numbers, ids, years, decimals.

Every number that reaches a query must be bounded: SQLite raises OverflowError for an integer over
2**63 and PostgreSQL "integer out of range" for one over 2**31-1, `date()` a ValueError for year -1,
and float() takes "nan" and "inf". So these parsers refuse, with a Chinese message naming the bound,
anything that is not a finite number inside its bounds.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter
from wtforms import Field
from wtforms.validators import StopValidation

MAX_ID = 2**31 - 1  # PostgreSQL's integer: no id (or version, or count) is larger
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_PAGE = 100_000
MAX_TEXT = 40  # no number anyone types is longer; longer text is refused before parsing
NUMBER_LIMIT = Decimal(10) ** 12  # far above any figure here; bigger would overflow a float's sense

_WHOLE = re.compile(r"[+-]?\d+")


class BadNumber(ValueError):
    """A value that is not a number within its bounds; the message is shown to the user."""


class BadArgument(BadRequest):
    """A query argument (or form value) that cannot be read: a 400 page showing the message."""

    def __init__(self, message: str):
        super().__init__(description=message)


def _text(value: object) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_TEXT:
        raise BadNumber("数值过长。")
    return text


def _bounds(minimum: object, maximum: object) -> str:
    if minimum is not None and maximum is not None:
        return f"应在 {minimum} 至 {maximum} 之间"
    if minimum is not None:
        return f"不能小于 {minimum}"
    return f"不能大于 {maximum}"


def parse_int(value: object, *, minimum: int | None = 1, maximum: int | None = MAX_ID) -> int | None:
    """A whole number from text (or an int): None if blank; BadNumber if not whole or out of bounds."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = _text(value)
        if text == "":
            return None
        if not _WHOLE.fullmatch(text):
            raise BadNumber(f"“{text}”不是整数。")
        number = int(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise BadNumber(f"数值 {number} 超出范围（{_bounds(minimum, maximum)}）。")
    return number


def parse_decimal(
    value: object,
    *,
    places: int | None = None,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
) -> Decimal | None:
    """A finite decimal from text: None if blank; BadNumber for nan/inf, too many places, out of bounds.

    Without bounds the value must still lie within ±10**12 (so that float() of it keeps its meaning).
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = str(value)
    else:
        text = _text(value)
        if text == "":
            return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise BadNumber(f"“{text}”不是数字。") from exc
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise BadNumber(f"“{text}”不是有效的数字。")
    if places is not None and number != number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"):
        raise BadNumber(f"“{text}”最多保留 {places} 位小数。")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise BadNumber(f"数值 {text} 超出范围（{_bounds(minimum, maximum)}）。")
    return number + 0  # normalises -0 to 0


def coerce_id(value: object) -> int:
    """WTForms `coerce` for id selects: 0 (the "none" choice) or an id; ValueError otherwise."""
    number = parse_int(value, minimum=0, maximum=MAX_ID)
    if number is None:
        raise BadNumber("请选择。")
    return number


def finite(form: object, field: Field) -> None:
    """WTForms validator, before NumberRange: DecimalField takes "nan", which NumberRange cannot
    compare, and IntegerField takes 3,000 digits, which NumberRange's isnan() cannot convert."""
    data = field.data
    if isinstance(data, Decimal | float) and not Decimal(data).is_finite():
        raise StopValidation("请输入有效的数字。")
    if isinstance(data, int | Decimal | float) and abs(data) >= NUMBER_LIMIT:
        raise StopValidation("数值超出范围。")


def form_int(value: object, *, minimum: int | None = 1, maximum: int | None = MAX_ID) -> int | None:
    """A whole number posted outside a WTForms form: None if blank, not whole or out of bounds."""
    try:
        return parse_int(value, minimum=minimum, maximum=maximum)
    except BadNumber:
        return None


def form_id(value: object) -> int | None:
    """An id posted in a form (a checkbox, a radio, a hidden field): None if blank or not an id."""
    return form_int(value, minimum=1, maximum=MAX_ID)


# --- query arguments ----------------------------------------------------------------------------


def int_arg(
    name: str, default: int | None = None, *, minimum: int | None = 1, maximum: int | None = MAX_ID
) -> int | None:
    """A whole-number query argument: `default` if missing or blank; a 400 with a message if bad."""
    try:
        number = parse_int(request.args.get(name), minimum=minimum, maximum=maximum)
    except BadNumber as exc:
        raise BadArgument(f"参数“{name}”无效：{exc}") from exc
    return default if number is None else number


def id_arg(name: str) -> int | None:
    """An id in the query string (1..2**31-1), or None if missing; a 400 if it cannot be an id."""
    return int_arg(name, minimum=1, maximum=MAX_ID)


def year_arg(name: str = "year", default: int | None = None) -> int | None:
    """A year in the query string (2000..2100), `default` if missing; a 400 if out of bounds."""
    return int_arg(name, default, minimum=MIN_YEAR, maximum=MAX_YEAR)


def page_arg() -> int:
    """The page number of a list (1 if missing); a 400 for a page that cannot exist."""
    return int_arg("page", 1, minimum=1, maximum=MAX_PAGE) or 1


FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_nul_characters() -> None:
    """before_request: no one types a NUL character, and PostgreSQL cannot store or compare one
    (psycopg raises on it), so a query or form holding one is a 400 before any view runs."""
    sources = []
    # Arguments hold a NUL only from a %00 or a raw NUL in the query string; a form only if the body
    # is one of the two kinds Werkzeug parses (other requests' forms are always empty): a page's GET
    # neither decodes its query string again nor makes an empty form here.
    query = request.query_string
    if b"\x00" in query or b"%00" in query:
        sources.append(request.args)
    if request.mimetype in FORM_MIMETYPES:
        sources.append(request.form)
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadArgument(f"参数“{key.replace(chr(0), '')}”含有无效的字符。")


# --- route parts --------------------------------------------------------------------------------


class IdConverter(IntegerConverter):
    """`<int:...>` in routes, bounded to an id: /tasks/99999999999999999999 is a 404, not a 500."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(*args, **kwargs)
