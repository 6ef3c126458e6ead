"""Command-line tasks: flask seed demo, flask create-user, flask api-token create, flask backup,
flask storage migrate, flask jobs worker."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from .errors import DomainError
from .extensions import db
from .models import ROLES, Unit
from .storage import EXPORTS_PREFIX, LocalStorage, migrate_local_to, storage, uses_s3


def register(app: Flask) -> None:
    """The `flask` commands, group by group."""
    _register_seed(app)
    _register_remind_and_jobs(app)
    _register_accounts(app)
    _register_backup_and_storage(app)


def _register_seed(app: Flask) -> None:
    """`flask seed ...`: reference and demo data, each idempotent."""

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
        from .formatting import local_today
        from .services.calendar import calendar_estimate_upcoming, calendar_seed

        added = calendar_seed()
        click.echo(f"节假日日历：新增 {added} 天。" if added else "节假日日历已是最新。")
        for year in calendar_estimate_upcoming(local_today()):
            click.echo(
                f"{year} 年：已按往年规律预估法定节假日（调休上班日未预估），待国务院办公厅通知后导入并确认。"
            )

    @seed.command("rubric")
    def seed_rubric_command() -> None:
        """The default case-file review rubric (一般程序行政处罚案卷评查标准; idempotent)."""
        from .services.rubrics import rubric_seed_default

        rubric, created = rubric_seed_default()
        click.echo(
            f"已载入默认评查标准“{rubric.label}”。" if created else f"默认评查标准“{rubric.label}”已存在。"
        )

    @seed.command("framework")
    def seed_framework_command() -> None:
        """The demonstration indicator framework (示例, 100 indicators; idempotent)."""
        from .services.frameworks import seed_demo_framework

        framework, created = seed_demo_framework()
        click.echo(
            f"已载入示例指标体系“{framework.label}”。"
            if created
            else f"示例指标体系“{framework.label}”已存在。"
        )


def _register_remind_and_jobs(app: Flask) -> None:
    """`flask remind` and the export job worker."""

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

    @app.cli.group("jobs")
    def jobs_group() -> None:
        """The job queue (exports, daily reminders, clean-up of old exports)."""

    @jobs_group.command("worker")
    @click.option("--workers", default=2, show_default=True, help="并行执行任务的线程数")
    def jobs_worker(workers: int) -> None:
        """Run a Huey consumer: run as many as needed, on any machine that reaches the queue and database."""
        from .queue import bind, huey

        bind(current_app._get_current_object())  # type: ignore[attr-defined]
        where = "Redis" if current_app.config.get("REDIS_URL") else "SQLite"
        click.echo(f"任务队列 {huey.name}（{where}）：启动 {workers} 个工作线程。")
        huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()


def _register_accounts(app: Flask) -> None:
    """Accounts from the command line: an API token, a user."""

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


def _register_backup_and_storage(app: Flask) -> None:
    """`flask backup` and moving stored files."""

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
        # The attachments from wherever they are stored (folder or bucket); exports can be made again.
        copies = LocalStorage(folder / "uploads")
        count = 0
        for key in storage().iter_keys():
            if not key.startswith(EXPORTS_PREFIX):
                with storage().open(key) as stream:
                    copies.put(key, stream)
                count += 1
        if count:
            click.echo(f"附件 {count} 个已备份到 {folder / 'uploads'}")

    @app.cli.group("storage")
    def storage_group() -> None:
        """File storage (the local folder or an S3-compatible bucket)."""

    @storage_group.command("migrate")
    def storage_migrate() -> None:
        """Copy the local UPLOAD_DIR into the configured bucket (idempotent: present files are skipped)."""
        if not uses_s3(current_app.config):
            raise click.ClickException(
                "未配置对象存储：请设置 S3_ENDPOINT、S3_BUCKET、S3_ACCESS_KEY、S3_SECRET_KEY。"
            )
        copied, skipped = migrate_local_to(storage(), current_app.config["UPLOAD_DIR"])
        click.echo(
            f"已复制 {copied} 个文件到存储桶 {current_app.config['S3_BUCKET']}，跳过已存在的 {skipped} 个。"
        )
