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


def from_environment(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "supervision.db")
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL", default_db)),
        "UPLOAD_DIR": env.get("UPLOAD_DIR", str(Path(instance_path) / "uploads")),
        "MAX_UPLOAD_MB": int(env.get("MAX_UPLOAD_MB", "20")),
        "OFFICE_NAME": env.get("OFFICE_NAME", "海曙区全面依法治区委员会办公室"),
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
        # The API's rate limit per token (Flask-Limiter notation); counted in Redis when REDIS_URL is set.
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "300 per minute"),
        "REDIS_URL": env.get("REDIS_URL", ""),
        **{key: int(env.get(key, default)) for key, default in LOGIN_THROTTLE.items()},
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
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
