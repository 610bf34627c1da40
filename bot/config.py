"""Settings read once from the environment (and a .env file) by the entry point."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of a deployment; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), alias="HOCSO_DATA_DIR")
    content_dir: Path = Field(default=PROJECT_ROOT / "content", alias="HOCSO_CONTENT_DIR")
    database_url: str = Field(default="", alias="DATABASE_URL")
    host: str = Field(default="127.0.0.1", alias="HOCSO_HOST")
    port: int = Field(default=8080, ge=0, le=65535, alias="HOCSO_PORT")
    log_level: str = Field(default="INFO", alias="HOCSO_LOG_LEVEL")

    def resolved_database_url(self) -> str:
        """Return DATABASE_URL, or the default SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hocso.db').resolve()}"
