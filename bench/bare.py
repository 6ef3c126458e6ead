"""The reference page of the benchmark (DESIGN §7): a bare Flask + Flask-SQLAlchemy app on the same
database that runs one indexed query and renders a 50-row table.

    DATABASE_URL=sqlite:////tmp/bench_city.db gunicorn -w 2 --chdir bench bare:app

The query reads the first 50 indicator scores of one assessment through the unique index on
(assessment_id, indicator_id), so it returns 50 rows at every scale; the
template is a plain Jinja page (no login, no CSRF, no Babel), so the figure is what Flask, SQLAlchemy
and Jinja cost on this machine with nothing of ours on top.
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class IndicatorScore(db.Model):
    __tablename__ = "indicator_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column()
    indicator_id: Mapped[int] = mapped_column()
    self_rating: Mapped[str | None] = mapped_column(String(10))
    self_score: Mapped[float | None] = mapped_column()
    evaluated_rating: Mapped[str | None] = mapped_column(String(10))
    evaluated_score: Mapped[float | None] = mapped_column()
    explanation: Mapped[str] = mapped_column()


PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>指标得分</title></head>
<body><h1>评估 {{ assessment_id }} 的指标得分</h1>
<table>
<thead><tr><th>编号</th><th>指标</th><th>自评</th><th>自评分</th><th>评估</th><th>得分</th><th>说明</th></tr></thead>
<tbody>
{% for s in rows %}<tr><td>{{ s.id }}</td><td>{{ s.indicator_id }}</td><td>{{ s.self_rating }}</td>
<td>{{ s.self_score }}</td><td>{{ s.evaluated_rating }}</td><td>{{ s.evaluated_score }}</td>
<td>{{ s.explanation }}</td></tr>
{% endfor %}</tbody></table></body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:////tmp/bench_city.db")
    db.init_app(app)

    @app.route("/")
    def page():
        assessment_id = request.args.get("a", 1, type=int)
        rows = db.session.execute(
            select(
                IndicatorScore.id,
                IndicatorScore.indicator_id,
                IndicatorScore.self_rating,
                IndicatorScore.self_score,
                IndicatorScore.evaluated_rating,
                IndicatorScore.evaluated_score,
                IndicatorScore.explanation,
            )
            .where(IndicatorScore.assessment_id == assessment_id)
            .order_by(IndicatorScore.indicator_id)
            .limit(50)
        ).all()
        return render_template_string(PAGE, rows=rows, assessment_id=assessment_id)

    return app


app = create_app()
