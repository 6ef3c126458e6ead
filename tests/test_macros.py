"""The Python forms of the shared macros (supervision/macros.py) render what the macros did."""

from __future__ import annotations

from flask import render_template_string

from supervision.macros import status_badge

OLD_STATUS_BADGE = (
    "{% macro status_badge(record_type, status) -%}\n"
    '<span class="badge status-badge status-{{ record_type }}-{{ status }}">'
    "{{ status_label(record_type, status) }}</span>\n"
    "{%- endmacro %}{{ status_badge(record_type, status) }}"
)


def test_status_badge_is_the_macro_s_html(app):
    with app.test_request_context("/"):
        for record_type, status in (("notice", "issued"), ("task", "draft"), ("notice", '<b>"x"&')):
            old = render_template_string(OLD_STATUS_BADGE, record_type=record_type, status=status)
            assert str(status_badge(record_type, status)) == old


def test_status_badge_escapes_its_values(app):
    with app.test_request_context("/"):
        html = str(status_badge("notice", '"><script>'))
    assert "<script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_the_macros_module_exports_it_by_the_old_name(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "{% from '_macros/ui.html' import status_badge %}{{ status_badge('notice', 'issued') }}"
        )
    assert html == str(status_badge("notice", "issued"))


def test_fixed_url_is_url_for(app):
    from flask import url_for

    from supervision.nav import fixed_url

    with app.test_request_context("/"):
        assert fixed_url("exports.start") == url_for("exports.start")
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/dct"}):
        assert fixed_url("exports.start") == url_for("exports.start") == "/dct" + fixed_url_plain(app)


def fixed_url_plain(app) -> str:
    with app.test_request_context("/"):
        from flask import url_for

        return url_for("exports.start")
