"""Command-line tasks: flask seed demo, flask create-user, flask api-token create, flask backup."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from .errors import DomainError
from .extensions import db
from .models import ROLES, Unit


def register(app: Flask) -> None:
    @app.cli.group()
    def seed() -> None:
        """Load reference or demo data."""

    @seed.command("demo")
    def seed_demo_command() -> None:
        """Load the demo district (idempotent: does nothing if data is there)."""
        from .demo import DEMO_PASSWORD, seed_demo

        if seed_demo():
            click.echo(f"已载入演示数据。演示账号密码均为 {DEMO_PASSWORD}")
        else:
            click.echo("数据库中已有数据，未载入演示数据。")

    @seed.command("calendar")
    def seed_calendar_command() -> None:
        """Holidays and 调休 days from the chinese-calendar package (idempotent; keeps admin edits)."""
        from .services.notices import calendar_seed

        added = calendar_seed()
        click.echo(f"节假日日历：新增 {added} 天。" if added else "节假日日历已是最新。")

    @seed.command("rubric")
    def seed_rubric_command() -> None:
        """The default case-file review rubric (一般程序行政处罚案卷评查标准; idempotent)."""
        from .services.reviews import rubric_seed_default

        rubric, created = rubric_seed_default()
        click.echo(
            f"已载入默认评查标准“{rubric.label}”。" if created else f"默认评查标准“{rubric.label}”已存在。"
        )

    @seed.command("framework")
    def seed_framework_command() -> None:
        """The demonstration indicator framework (示例, 100 indicators; idempotent)."""
        from .services.scorecards import seed_demo_framework

        framework, created = seed_demo_framework()
        click.echo(
            f"已载入示例指标体系“{framework.label}”。"
            if created
            else f"示例指标体系“{framework.label}”已存在。"
        )

    @app.cli.command("remind")
    @click.option("--today", "today_text", default="", help="按此日期判断（YYYY-MM-DD），默认今天")
    def remind_command(today_text: str) -> None:
        """Due-soon and overdue reminders for open notices (idempotent; run daily from cron)."""
        from datetime import date

        from .formatting import local_today
        from .services.notify import remind

        today = date.fromisoformat(today_text) if today_text else local_today()
        result = remind(today=today)
        click.echo(
            f"提醒：即将到期 {result.due_soon} 条，逾期 {result.overdue} 条，邮件 {result.emailed} 封。"
        )

    @app.cli.group("api-token")
    def api_token() -> None:
        """Personal access tokens for the JSON API."""

    @api_token.command("create")
    @click.argument("username")
    @click.option("--name", default="命令行创建", help="令牌名称")
    @click.option("--scope", type=click.Choice(["read", "read-write"]), default="read", help="权限范围")
    @click.option("--days", type=click.IntRange(1, 366), default=90, help="有效期（天）")
    def api_token_create(username: str, name: str, scope: str, days: int) -> None:
        """Create a token for USERNAME and print it (shown once; audited like one made on the web)."""
        from sqlalchemy import select

        from .models import User
        from .services.api_tokens import token_create

        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise click.ClickException(f"没有在用的用户“{username}”。")
        try:
            _token, secret = token_create(actor=user, name=name, scope=scope, days=days)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        click.echo(secret)

    @app.cli.command("create-user")
    @click.option("--username", prompt="用户名")
    @click.option("--name", "display_name", prompt="姓名")
    @click.option("--role", type=click.Choice(list(ROLES)), prompt="角色")
    @click.option("--unit", "unit_name", default="", help="所属单位（全称或简称）")
    @click.password_option("--password", prompt="密码")
    def create_user(username: str, display_name: str, role: str, unit_name: str, password: str) -> None:
        """Create a user (e.g. the first administrator)."""
        from sqlalchemy import or_, select

        from .services.org import user_create

        unit_id = None
        if unit_name:
            unit = db.session.scalar(
                select(Unit).where(or_(Unit.name == unit_name, Unit.short_name == unit_name))
            )
            if unit is None:
                raise click.ClickException(f"单位“{unit_name}”不存在。")
            unit_id = unit.id
        try:
            user = user_create(
                actor=None,
                data={"username": username, "display_name": display_name, "role": role, "unit_id": unit_id},
                password=password,
            )
        except DomainError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"已创建用户 {user.username}（{user.role_label}）。")

    @app.cli.command("backup")
    @click.argument("target", type=click.Path(file_okay=False), default="backups")
    def backup(target: str) -> None:
        """Copy the database (consistently) and the uploaded files into TARGET/<timestamp>/."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = Path(target) / stamp
        folder.mkdir(parents=True, exist_ok=True)
        url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "sqlite":
            source = sqlite3.connect(url.database)
            dest = sqlite3.connect(folder / "supervision.db")
            with dest:
                source.backup(dest)  # SQLite's online backup: consistent while the app runs
            source.close()
            dest.close()
            click.echo(f"数据库已备份到 {folder / 'supervision.db'}")
        else:
            click.echo("PostgreSQL 数据库请使用 pg_dump 备份，例如：pg_dump -Fc -f supervision.dump <数据库>")
        uploads = Path(current_app.config["UPLOAD_DIR"])
        if uploads.exists():
            shutil.copytree(uploads, folder / "uploads", dirs_exist_ok=True)
            click.echo(f"附件已备份到 {folder / 'uploads'}")
