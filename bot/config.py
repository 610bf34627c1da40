"""Settings read once from the environment (and a .env file) by the entry point."""

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.addresses import parse_networks

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Telegram allows 1-256 of these characters; we ask for 16 or more so it cannot be guessed.
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")


class StartupError(Exception):
    """The service cannot start; the message says what to fix."""


class Settings(BaseSettings):
    """Every knob of a deployment; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), alias="HOCSO_DATA_DIR")
    content_dir: Path = Field(default=PROJECT_ROOT / "content", alias="HOCSO_CONTENT_DIR")
    # Compiled texts kept between runs; "" is jinja's private folder for this user (render.py).
    template_cache_dir: str = Field(default="", alias="HOCSO_TEMPLATE_CACHE_DIR")
    database_url: str = Field(default="", alias="DATABASE_URL")
    host: str = Field(default="127.0.0.1", alias="HOCSO_HOST")
    port: int = Field(default=8080, ge=0, le=65535, alias="HOCSO_PORT")
    log_level: str = Field(default="INFO", alias="HOCSO_LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", alias="HOCSO_LOG_FORMAT")
    telegram_bot_token: str = Field(default="", alias="TELEGRAM_BOT_TOKEN")
    telegram_webhook_url: str = Field(default="", alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str = Field(default="", alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_api_base_url: str = Field(default="https://api.telegram.org/bot",
                                       alias="TELEGRAM_API_BASE_URL")

    public_url: str = Field(default="", alias="HOCSO_PUBLIC_URL")
    zalo_bot_token: str = Field(default="", alias="ZALO_BOT_TOKEN")
    zalo_webhook_url: str = Field(default="", alias="ZALO_WEBHOOK_URL")
    zalo_webhook_secret: str = Field(default="", alias="ZALO_WEBHOOK_SECRET")
    zalo_api_base_url: str = Field(default="https://bot-api.zaloplatforms.com/bot",
                                   alias="ZALO_API_BASE_URL")
    zalo_oa_app_id: str = Field(default="", alias="ZALO_OA_APP_ID")
    zalo_oa_app_secret: str = Field(default="", alias="ZALO_OA_APP_SECRET")
    zalo_oa_secret_key: str = Field(default="", alias="ZALO_OA_SECRET_KEY")
    zalo_oa_refresh_token: str = Field(default="", alias="ZALO_OA_REFRESH_TOKEN")
    zalo_oa_api_base_url: str = Field(default="https://openapi.zalo.me",
                                      alias="ZALO_OA_API_BASE_URL")
    zalo_oa_oauth_base_url: str = Field(default="https://oauth.zaloapp.com",
                                        alias="ZALO_OA_OAUTH_BASE_URL")

    mentor_capacity: int = Field(default=1, ge=1, le=50, alias="HOCSO_MENTOR_CAPACITY")
    invite_days: int = Field(default=7, ge=1, le=365, alias="HOCSO_INVITE_DAYS")
    inactive_days: int = Field(default=3, ge=1, le=90, alias="HOCSO_INACTIVE_DAYS")
    user_messages_per_minute: int = Field(default=60, ge=1, le=6000,
                                          alias="HOCSO_USER_MESSAGES_PER_MINUTE")
    user_burst: int = Field(default=20, ge=1, le=1000, alias="HOCSO_USER_BURST")
    messages_per_second: int = Field(default=500, ge=1, le=100000,
                                     alias="HOCSO_MESSAGES_PER_SECOND")
    web_requests_per_minute: int = Field(default=600, ge=1, le=100000,
                                         alias="HOCSO_WEB_REQUESTS_PER_MINUTE")
    web_sessions_per_hour: int = Field(default=60, ge=1, le=100000,
                                       alias="HOCSO_WEB_SESSIONS_PER_HOUR")
    web_photos_per_minute: int = Field(default=6, ge=1, le=10000,
                                       alias="HOCSO_WEB_PHOTOS_PER_MINUTE")
    # A reverse proxy on the same machine, as docs/OPERATIONS.md sets it up, is believed.
    trusted_proxies: str = Field(default="127.0.0.1, ::1", alias="HOCSO_TRUSTED_PROXIES")
    web_session_days: int = Field(default=30, ge=1, le=3650, alias="HOCSO_WEB_SESSION_DAYS")
    web_kiosk: bool = Field(default=False, alias="HOCSO_WEB_KIOSK")
    web_kiosk_minutes: int = Field(default=5, ge=1, le=240, alias="HOCSO_WEB_KIOSK_MINUTES")
    heartbeat_seconds: float = Field(default=5, gt=0, le=60, alias="HOCSO_HEARTBEAT_SECONDS")
    report_refresh_seconds: int = Field(default=300, ge=10, le=86400,
                                        alias="HOCSO_REPORT_REFRESH_SECONDS")
    unconsented_hours: int = Field(default=24, ge=1, le=720, alias="HOCSO_UNCONSENTED_HOURS")
    # How often due reminders are looked for (each is sent once, by one process).
    reminder_check_seconds: float = Field(default=30, gt=0, le=3600,
                                          alias="HOCSO_REMINDER_CHECK_SECONDS")
    # The hours, Vietnam time, reminders may be sent in: from the first to before the second.
    reminder_hours: str = Field(default="7-21", pattern=r"^\d{1,2}-\d{1,2}$",
                                alias="HOCSO_REMINDER_HOURS")
    processed_days: int = Field(default=7, ge=2, le=90, alias="HOCSO_PROCESSED_DAYS")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # a ValueError names what is wrong
        return value

    @model_validator(mode="after")
    def _webhooks_need_secrets(self) -> "Settings":
        if self.telegram_webhook_url and not _SECRET.fullmatch(self.telegram_webhook_secret):
            raise ValueError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET: 16-256 "
                             "characters of A-Z, a-z, 0-9, _ and -")
        if self.zalo_webhook_url and not 8 <= len(self.zalo_webhook_secret) <= 256:
            raise ValueError("ZALO_WEBHOOK_URL needs ZALO_WEBHOOK_SECRET: 8-256 characters")
        oa = [self.zalo_oa_app_id, self.zalo_oa_app_secret, self.zalo_oa_secret_key,
              self.zalo_oa_refresh_token]
        if any(oa) and not all(oa):
            raise ValueError("the Zalo OA channel needs all of ZALO_OA_APP_ID, "
                             "ZALO_OA_APP_SECRET, ZALO_OA_SECRET_KEY and ZALO_OA_REFRESH_TOKEN")
        first, last = self.reminder_daytime()
        if not 0 <= first < last <= 24:
            raise ValueError("HOCSO_REMINDER_HOURS must be two hours, the first before the "
                             "second, within 0-24, like 7-21")
        return self

    def reminder_daytime(self) -> tuple[int, int]:
        """HOCSO_REMINDER_HOURS as (first hour, hour after the last)."""
        first, last = (int(part) for part in self.reminder_hours.split("-"))
        return first, last

    def web_address(self) -> str:
        """The address residents open the web chat at: HOCSO_PUBLIC_URL, else this server's."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return "" if self.host in ("0.0.0.0", "::") else f"http://{self.host}:{self.port}"

    def resolved_database_url(self) -> str:
        """Return DATABASE_URL, or the default SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hocso.db').resolve()}"
