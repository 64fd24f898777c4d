"""Process settings from the environment (and a .env file). Built on demand, never at import.

Every environment variable Sparkle Motion reads is named here.
"""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ENVIRONMENT_VARIABLES", "Settings", "load_settings"]

ENVIRONMENT_VARIABLES = {
    "SPARKLE_DATABASE_URL": "registry database; SQLite under .sparkle/ when unset",
    "SPARKLE_FFMPEG": "path of an ffmpeg binary to use instead of the bundled one",
    "SPARKLE_FAILPOINT": "test hook: kill the process inside a stage (stage or stage:n)",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPARKLE_", env_file=".env", extra="ignore")

    database_url: str | None = None

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("SPARKLE_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return value


def load_settings() -> Settings:
    return Settings()
