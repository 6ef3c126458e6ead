"""The fixed vocabularies (roles, severities, kinds, ratings …) in the reader's language on pages,
and in Chinese in the registers whatever the reader's language."""

from __future__ import annotations

import io

from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from supervision.extensions import db
from supervision.i18n import vocabulary

from . import factories


def test_every_vocabulary_word_has_an_english_translation(app):
    with app.test_request_context(), force_locale("en"):
        untranslated = sorted(w for w in vocabulary() if gettext(w) == w)
    assert untranslated == []


def test_pages_translate_the_vocabulary_and_registers_stay_chinese(client, make_user):
    lead = make_user("lead", display_name="王建国")
    task = factories.TaskFactory(title="食品安全专项督察")
    factories.FindingFactory(task=task, severity="serious", description="未按规定告知")
    db.session.commit()
    client.login_user(lead)
    page = client.get("/tasks/findings").get_data(as_text=True)
    assert (
        "严重" in page
        and "法治办负责人" in page
        and "专项督察" in client.get("/tasks/").get_data(as_text=True)
    )

    client.post_form("/auth/lang/en", {"next": "/"})
    page = client.get("/tasks/findings").get_data(as_text=True)
    assert "Serious" in page and "Office lead" in page
    assert ">严重<" not in page and "法治办负责人" not in page
    assert "Special supervision" in client.get("/tasks/").get_data(as_text=True)
    assert "未按规定告知" in page  # what users wrote is shown as written

    sheet = load_workbook(io.BytesIO(client.get("/registers/findings.xlsx").data)).active
    values = {c for row in sheet.iter_rows(min_row=4, values_only=True) for c in row}
    assert "严重" in values and "Serious" not in values


def test_text_users_wrote_is_never_translated(client, make_user):
    """其他 is a task kind (translated) and also a finding category and a search word (not)."""
    lead = make_user("lead")
    factories.FindingFactory(category="其他", description="其他问题")
    client.login_user(lead)
    client.post_form("/auth/lang/en", {"next": "/"})
    assert 'value="严重"' in client.get("/tasks/findings?q=严重").get_data(as_text=True)  # as typed
    page = client.get("/tasks/findings?category=其他").get_data(as_text=True)
    assert "<option selected>其他</option>" in page  # the category sent back is the category's name
    assert "其他问题" in page  # and the filter still finds it


def test_the_date_formatter_spells_dates_as_cn_date_in_both_languages(app):
    from datetime import UTC, date, datetime

    from supervision.formatting import cn_date, date_formatter

    values = [None, date(2026, 3, 5), datetime(2026, 3, 5, 18, 30, tzinfo=UTC)]
    for locale, march_6 in (("zh_CN", "2026年3月6日"), ("en", "6 Mar 2026")):
        with app.test_request_context("/"), force_locale(locale):
            spell = date_formatter()
            assert [spell(v) for v in values] == [cn_date(v) for v in values]
            assert spell(values[2]) == march_6  # Beijing time
