"""The reference page of the benchmark (DESIGN §7): a bare Flask + Flask-SQLAlchemy app on the same
database that runs one indexed query and renders a 50-row table.

    DATABASE_URL=sqlite:////tmp/bench_city.db gunicorn -w 2 --chdir bench bare:app

The query reads the first 50 indicator scores of one assessment through the unique index on
(assessment_id, indicator_id), so it returns 50 rows at every scale; the
template is a plain Jinja page (no login, no CSRF, no Babel) in bench/templates/bare.html, compiled once
per process and reused by render_template as a real page's is (the old version compiled it from a
string on every request, which doubled its cost), so the figure is what Flask, SQLAlchemy and Jinja
cost on this machine with nothing of ours on top: the ceiling.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

from flask import Flask, render_template, render_template_string, request
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


def create_app() -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:////tmp/bench_city.db")
    db.init_app(app)

    def fifty_rows():
        assessment_id = request.args.get("a", 1, type=int)
        return assessment_id, db.session.execute(
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

    @app.route("/")
    def page():
        assessment_id, rows = fifty_rows()
        return render_template("bare.html", rows=rows, assessment_id=assessment_id)

    @app.route("/string")
    def old_page():
        """The old reference page, for comparison only: the same template compiled on every request."""
        assessment_id, rows = fifty_rows()
        source = app.jinja_loader.get_source(app.jinja_env, "bare.html")[0]
        return render_template_string(source, rows=rows, assessment_id=assessment_id)

    return app


app = create_app()
gc.freeze()  # as wsgi.py does for the real app
