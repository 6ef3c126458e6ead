"""Read the days out of the 国务院办公厅's yearly notice (关于X年部分节假日安排的通知), pasted as text.

Each arrangement is one numbered line: "七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。
9月26日（周日）、10月9日（周六）上班。" A sentence with 放假 gives days off (single days and ranges, the
month carried over as in "10月1日至7日"), a sentence with 上班 the 调休 working days. The title, the
salutation, the closing paragraph and the date of the notice carry no arrangement and are skipped; a
line that speaks of 放假 or 上班 but cannot be read is refused with its number, so nothing is half-saved.
Pure: the year comes from the admin's form, dates without a year are in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _

FESTIVALS = ("元旦", "春节", "清明", "劳动", "端午", "中秋", "国庆")

_FULL_WIDTH = str.maketrans("０１２３４５６７８９：，；", "0123456789:,;")
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
_YEAR = r"[0-9]{4}|[〇零一二三四五六七八九]{4}"


def _date_pattern(p: str) -> str:
    return rf"(?:(?P<{p}y>{_YEAR})年)?(?:(?P<{p}m>{_NUM})月)?(?P<{p}d>{_NUM})[日号]"


_RANGE = re.compile(_date_pattern("a") + r"(?:\s*(?:至|到|—|–|-|～|~)\s*" + _date_pattern("b") + ")?")
_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[0-9]+[、.．])?\s*(?P<name>[^:：，,。]{2,30})[:：](?P<body>.*)$"
)
_PARENS = re.compile(r"（[^）]*）|\([^)]*\)")
_COUNTS = re.compile(r"(?:共|放假)?[0-9]+天")


@dataclass(frozen=True)
class NoticeDay:
    day: date
    is_workday: bool
    name: str
    line: int  # the line of the pasted text it was read from (1 = first)


@dataclass
class ParsedNotice:
    days: list[NoticeDay] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # lines without an arrangement (title, closing…)


class NoticeParseError(ValueError):
    """A line of the pasted notice could not be read; `message` names it."""

    def __init__(self, line: int, text: str, reason: str):
        self.line, self.text, self.reason = line, text, reason
        shown = text if len(text) <= 60 else text[:60] + "…"
        if line:
            self.message = _("第 %(n)s 行无法识别：“%(text)s”。%(reason)s", n=line, text=shown, reason=reason)
        else:
            self.message = reason
        super().__init__(self.message)


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" not in text:  # 二〇二七
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _sep, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


class _Dates:
    """The dates of one sentence, in order; a missing year or month is the one before it."""

    def __init__(self, year: int):
        self.year, self.month = year, None

    def one(self, y: str | None, m: str | None, d: str | None) -> date:
        explicit_year = y is not None
        if explicit_year:
            self.year = _number(y)
        if m is not None:
            month = _number(m)
            if not explicit_year and self.month is not None and month < self.month:
                self.year += 1  # 12月31日至1月2日
            self.month = month
        if self.month is None:
            raise ValueError(_("日期缺少月份。"))
        try:
            return date(self.year, self.month, _number(d))
        except ValueError:
            raise ValueError(_("%(m)s月没有%(d)s日。", m=self.month, d=d)) from None

    def read(self, sentence: str) -> tuple[list[date], str]:
        """Every date in the sentence (ranges expanded), and the text left over."""
        days: list[date] = []
        for match in _RANGE.finditer(sentence):
            g = match.groupdict()
            first = self.one(g["ay"], g["am"], g["ad"])
            last = self.one(g["by"], g["bm"], g["bd"]) if g["bd"] else first
            if last < first or (last - first).days > 31:
                raise ValueError(_("日期段的起止不合理。"))
            days += [first + timedelta(days=k) for k in range((last - first).days + 1)]
        return days, _RANGE.sub("", sentence)


def _sentence_days(sentence: str, year: int) -> tuple[list[date], list[date]]:
    """(days off, working days) of one sentence; ValueError with the reason if it cannot be read."""
    off_kw, work_kw = "放假" in sentence, "上班" in sentence
    if off_kw and work_kw:
        off: list[date] = []
        work: list[date] = []
        for clause in re.split(r"[,，]", sentence):
            o, w = _sentence_days(clause, year) if ("放假" in clause or "上班" in clause) else ([], [])
            if not o and not w and _RANGE.search(clause):
                raise ValueError(_("分不清其中的日期是放假还是上班。"))
            off, work = off + o, work + w
        return off, work
    if not off_kw and not work_kw:
        return [], []  # e.g. 鼓励各单位……安排职工在除夕休息: no arrangement
    days, rest = _Dates(year).read(sentence)
    if not days:
        if re.search(r"[0-9月日号]", _COUNTS.sub("", rest)):
            raise ValueError(_("其中有无法识别的日期（应写作“10月1日”或“十月一日”）。"))
        raise ValueError(_("没有找到日期（应写作“10月1日”或“十月一日”）。"))
    if re.search(r"[0-9]", _COUNTS.sub("", rest)):
        raise ValueError(_("其中有无法识别的日期。"))
    return (days, []) if off_kw else ([], days)


def _festival_for(days: list[date], year: int) -> str | None:
    """The estimated festival these days belong to (for a line without the festival's name)."""
    from .calendar_estimate import FIRST_YEAR, LAST_YEAR, estimate_holidays

    if not days or not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    estimate = estimate_holidays(year)
    for day in days:
        for e in estimate:
            if e.day == day:
                return e.name
    nearest = min(estimate, key=lambda e: min(abs((e.day - d).days) for d in days))
    return nearest.name if min(abs((nearest.day - d).days) for d in days) <= 14 else None


def parse_notice(text: str, year: int) -> ParsedNotice:
    """The holidays and 调休 working days of the notice's text; NoticeParseError names a bad line."""
    result = ParsedNotice()
    seen: dict[date, NoticeDay] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().translate(_FULL_WIDTH)
        if not line:
            continue
        item = _ITEM.match(line)
        named = item is not None and any(f in item.group("name") for f in FESTIVALS)
        body = item.group("body") if named else line
        plain = _PARENS.sub("", body)
        if not named and not (("放假" in plain or "上班" in plain) and _RANGE.search(plain)):
            result.skipped.append(number)
            continue
        off: list[date] = []
        work: list[date] = []
        try:
            for sentence in re.split(r"[。;；]", plain):
                o, w = _sentence_days(sentence.strip(), year)
                off, work = off + o, work + w
        except ValueError as error:
            raise NoticeParseError(number, raw.strip(), str(error)) from None
        if not off and not work:
            raise NoticeParseError(number, raw.strip(), _("没有找到“放假”或“上班”的日期。"))
        name = item.group("name").strip() if named else _festival_for(off or work, year)
        if not name:
            raise NoticeParseError(
                number, raw.strip(), _("看不出是哪个节日，请在行首写明，如“七、国庆节：”。")
            )
        for day in off + work:
            if abs(day.year - year) > 1:
                raise NoticeParseError(number, raw.strip(), _("日期不在 %(y)s 年前后。", y=year))
        for day, is_workday in [(d, False) for d in off] + [(d, True) for d in work]:
            earlier = seen.get(day)
            if earlier is not None and earlier.is_workday != is_workday:
                reason = _("%(d)s既放假又上班。", d=f"{day.month}月{day.day}日")
                if earlier.line != number:
                    reason = _("与第 %(n)s 行矛盾：", n=earlier.line) + reason
                raise NoticeParseError(number, raw.strip(), reason)
            if earlier is None:
                seen[day] = NoticeDay(day, is_workday, name + ("调休" if is_workday else ""), number)
    if not seen:
        raise NoticeParseError(
            0, "", _("没有识别到任何放假或调休上班的日期。请粘贴通知中“一、元旦：……”等各条。")
        )
    result.days = sorted(seen.values(), key=lambda d: d.day)
    return result
