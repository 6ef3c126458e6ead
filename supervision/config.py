"""Settings from the environment. Nothing secret lives in the code."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: str) -> str:
    """A random key made once and kept in instance/, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


class ConfigError(RuntimeError):
    """A setting the app cannot start without (the message says which and why)."""


MISSING_SECRET_KEY = (
    "生产环境必须设置环境变量 SECRET_KEY（所有应用服务器使用同一个值，例如 "
    "python -c 'import secrets; print(secrets.token_hex(32))' 生成）。"
    " SECRET_KEY is required in production: set the same value on every app server."
)


def is_production(config: dict, env: os._Environ | dict | None = None) -> bool:
    """APP_ENV/FLASK_ENV=production, or a PostgreSQL database outside debugging and testing.

    A PostgreSQL database means a shared deployment, where servers must agree on the key.
    """
    env = os.environ if env is None else env
    if "production" in (env.get("APP_ENV", "").lower(), env.get("FLASK_ENV", "").lower()):
        return True
    debugging = config.get("DEBUG") or config.get("TESTING") or env.get("FLASK_DEBUG", "") in ("1", "true")
    return str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql") and not debugging


def secret_key(config: dict, instance_path: str) -> str:
    """The configured key; in development one made once in instance/. Production must set it:
    a key per server would log users out and fail CSRF as a load balancer alternates."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if is_production(config):
        raise ConfigError(MISSING_SECRET_KEY)
    return _instance_secret(instance_path)


def _database_url(url: str) -> str:
    # Accept the plain postgres:// forms and use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Failed logins slow down further tries (OWASP: growing delays, no lockout an attacker can trigger).
# After LOGIN_FREE_FAILURES failures for one account from one address (LOGIN_FREE_FAILURES_ADDRESS from
# one address over all accounts), the next try waits LOGIN_DELAY_SECONDS, doubled after every further
# failure up to LOGIN_MAX_DELAY_SECONDS; failures older than LOGIN_WINDOW_MINUTES, and those of an
# account from an address before its last successful login there, no longer count.
LOGIN_THROTTLE = {
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_FREE_FAILURES_ADDRESS": 20,
    "LOGIN_DELAY_SECONDS": 30,
    "LOGIN_MAX_DELAY_SECONDS": 900,
    "LOGIN_WINDOW_MINUTES": 60,
}


OFF = ("off", "0", "no", "false")


def _seconds_or_off(value: str) -> float | None:
    return None if value.strip().lower() in ("off", "never", "none") else float(value)


def from_environment(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "supervision.db")
    return {
        "SECRET_KEY": env.get("SECRET_KEY", ""),  # checked (or made, in development) by secret_key()
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL", default_db)),
        # A pooled connection idle this long is pinged before use ("off": never); see db_ping_when_idle.
        "DATABASE_PING_IDLE_SECONDS": _seconds_or_off(env.get("DATABASE_PING_IDLE_SECONDS", "30")),
        # PostgreSQL: psycopg keeps prepared statements across requests (read_commits.py); "off" for
        # a PgBouncer in transaction mode older than 1.21.
        "DATABASE_PREPARED": env.get("DATABASE_PREPARED", "on").lower() not in OFF,
        "UPLOAD_DIR": env.get("UPLOAD_DIR", str(Path(instance_path) / "uploads")),
        "MAX_UPLOAD_MB": int(env.get("MAX_UPLOAD_MB", "20")),
        # An S3-compatible object store for uploads and exports (storage.py); unset: UPLOAD_DIR.
        "S3_ENDPOINT": env.get("S3_ENDPOINT", ""),
        "S3_BUCKET": env.get("S3_BUCKET", ""),
        "S3_ACCESS_KEY": env.get("S3_ACCESS_KEY", ""),
        "S3_SECRET_KEY": env.get("S3_SECRET_KEY", ""),
        "S3_REGION": env.get("S3_REGION", "us-east-1"),
        # The job queue (queue.py reads these at import): Redis when set, else SQLite in instance/.
        "REDIS_URL": env.get("REDIS_URL", ""),
        # Days an export (我的导出) is kept before the hourly clean-up deletes it.
        "EXPORT_KEEP_DAYS": int(env.get("EXPORT_KEEP_DAYS", "7")),
        # LibreOffice for the PDF copies of documents (exports/pdf.py): unset, `soffice` on PATH.
        "SOFFICE": env.get("SOFFICE", ""),
        "OFFICE_NAME": env.get("OFFICE_NAME", "海曙区全面依法治区委员会办公室"),
        # The 评查情况通报: its 机关代字 (its own 文号 series) and issuing authority (empty = OFFICE_NAME).
        "REVIEW_REPORT_PREFIX": env.get("REVIEW_REPORT_PREFIX", "海法评"),
        "REVIEW_REPORT_AUTHORITY": env.get("REVIEW_REPORT_AUTHORITY", ""),
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SMTP_HOST": env.get("SMTP_HOST", ""),
        "SMTP_PORT": int(env.get("SMTP_PORT", "25")),
        "SMTP_USER": env.get("SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": env.get("SMTP_FROM", ""),
        "SMTP_TLS": env.get("SMTP_TLS", "0") == "1",
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto (0: clients connect directly).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # The API's rate limit per token (Flask-Limiter notation); counted in Redis when REDIS_URL (above) is set.
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "300 per minute"),
        **{key: int(env.get(key, default)) for key, default in LOGIN_THROTTLE.items()},
        # Session rules (等保): signed out after SESSION_IDLE_MINUTES without a request, and
        # SESSION_MAX_HOURS after login whatever happens; a local password older than
        # PASSWORD_MAX_AGE_DAYS must be changed (0: passwords do not expire).
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(env.get("SESSION_MAX_HOURS", "12")),
        "PASSWORD_MAX_AGE_DAYS": int(env.get("PASSWORD_MAX_AGE_DAYS", "0")),
        # LOCAL_LOGIN=off: local passwords refused for everyone but the break-glass account, whose
        # username is LOCAL_LOGIN_BREAK_GLASS (for when the unified sign-in is down).
        "LOCAL_LOGIN": env.get("LOCAL_LOGIN", "on").lower() not in OFF,
        "LOCAL_LOGIN_BREAK_GLASS": env.get("LOCAL_LOGIN_BREAK_GLASS", "").strip().lower(),
        # LDAP sign-in (README: 统一登录): set LDAP_URL to check the login form's password in the directory.
        "LDAP_URL": env.get("LDAP_URL", ""),
        "LDAP_BIND_DN": env.get("LDAP_BIND_DN", ""),
        "LDAP_BIND_PASSWORD": env.get("LDAP_BIND_PASSWORD", ""),
        "LDAP_SEARCH_BASE": env.get("LDAP_SEARCH_BASE", ""),
        "LDAP_SEARCH_FILTER": env.get("LDAP_SEARCH_FILTER", "(uid={username})"),
        "LDAP_USER_DN_TEMPLATE": env.get("LDAP_USER_DN_TEMPLATE", ""),
        "LDAP_STARTTLS": env.get("LDAP_STARTTLS", "0") == "1",
        "LDAP_CA_FILE": env.get("LDAP_CA_FILE", ""),
        "LDAP_TLS_VERIFY": env.get("LDAP_TLS_VERIFY", "1") != "0",
        # OpenID Connect sign-in (统一身份认证): the issuer's discovery document gives everything else.
        "OIDC_ISSUER": env.get("OIDC_ISSUER", ""),
        "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPES": env.get("OIDC_SCOPES", "openid profile"),
        "OIDC_USERNAME_CLAIM": env.get("OIDC_USERNAME_CLAIM", "preferred_username"),
    }


DEFAULTS = {
    # No ping on every checkout (a round trip per request on PostgreSQL): a pooled connection idle
    # longer than DATABASE_PING_IDLE_SECONDS is pinged before use instead (see db_ping_when_idle).
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": {"zh_CN": "中文", "en": "English"},
    "PASSWORD_MIN_LENGTH": 8,
    "PER_PAGE": 20,
}
