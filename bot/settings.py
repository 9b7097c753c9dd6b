"""Settings: ``config.toml`` defaults, ``JIFEN_<SECTION>__<KEY>`` environment overrides.

Secrets (the bot token, the webhook secret, the signing secret) come only from the
environment; a signing secret not given is generated once into the store. Lists and
tables in the environment are JSON, e.g. ``JIFEN_ACCESS__ADMINS='[123, 456]'``. Every
invalid value is reported with its key and the environment variable that would set it
(:class:`SettingsError`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from models.ledger.config import (
    ActionBonuses,
    Currency,
    EarningRules,
    EventRule,
    ExpiryPolicy,
    RuleSet,
    Tiers,
    UsageRules,
)

DEFAULT_CONFIG = Path("config.toml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BotSettings(_Section):
    """Webhook mode refuses to start without ``webhook_secret``: anyone who can reach the
    server could otherwise post forged updates (a cashier's confirmation, say)."""

    token: SecretStr = SecretStr("")
    username: str = Field("", description="filled from getMe when empty")
    api_url: str = "https://api.telegram.org/bot"
    file_url: str = "https://api.telegram.org/file/bot"
    mode: str = Field("polling", pattern=r"^(polling|webhook)$")
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    listen_host: str = Field("127.0.0.1", description="put a TLS proxy in front")
    listen_port: int = Field(8080, ge=1, le=65535)
    default_language: str = Field("en", pattern=r"^(en|zh-Hans)$")
    shop_name: str = "jifen"
    public_url: str = Field(
        "", description="public base URL (https) of this jifen: webhook, API and Mini App"
    )
    instance_id: str = Field(
        "", max_length=100, description="unique per instance; default <hostname>:<listen_port>"
    )

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> BotSettings:
        secret = self.webhook_secret.get_secret_value()
        if self.mode == "webhook" and not secret:
            raise ValueError(
                "webhook mode needs a secret: set JIFEN_BOT__WEBHOOK_SECRET "
                "(1-256 characters of A-Z a-z 0-9 _ -, e.g. `openssl rand -hex 32`)"
            )
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ValueError(
                "JIFEN_BOT__WEBHOOK_SECRET may hold only 1-256 characters of A-Z a-z 0-9 _ -"
            )
        return self


class DatabaseSettings(_Section):
    url: str = Field("sqlite://data/jifen.sqlite3", pattern=r"^(sqlite|postgres|postgresql)://")
    migrate_on_start: bool = Field(
        True, description="false: `jifen migrate` is a separate step of an upgrade (README)"
    )


class AccessSettings(_Section):
    admins: list[int] = Field(default_factory=list, description="Telegram user ids")


class SecuritySettings(_Section):
    secret: SecretStr = Field(
        SecretStr(""), description="signs callback data; generated once into the store when empty"
    )
    secret_file: str = Field(
        "data/.jifen-secret", description="read (never written) to carry an older secret over"
    )
    invite_valid_hours: int = Field(48, ge=1, le=24 * 30)


class OutboxSettings(_Section):
    messages_per_second: float = Field(30, gt=0, le=1000)
    per_chat_per_second: float = Field(1, gt=0, le=30)
    max_attempts: int = Field(5, ge=1, le=50)
    batch_size: int = Field(100, ge=1, le=10_000)


class SchedulerSettings(_Section):
    enabled: bool = True
    timezone: str = "Asia/Shanghai"
    expiry_sweep_time: str = Field("03:30", pattern=r"^\d{2}:\d{2}$")
    reminder_time: str = Field("10:00", pattern=r"^\d{2}:\d{2}$")
    birthday_bonus_points: int = Field(0, ge=0, le=1_000_000)
    tier_review_day: int = Field(1, ge=1, le=28, description="day of month")
    weekly_report: str = Field("mon 09:00", pattern=r"^(mon|tue|wed|thu|fri|sat|sun) \d{2}:\d{2}$")
    referral_bonus_points: int = Field(0, ge=0, le=1_000_000)


class BackupSettings(_Section):
    """Scheduled snapshots (``jifen backup`` by hand works whatever this says)."""

    schedule: str = Field(
        "",
        pattern=r"^((mon|tue|wed|thu|fri|sat|sun) )?\d{2}:\d{2}$|^$",
        description="when to take one: '03:00' daily or 'sun 03:00' weekly; empty = off",
    )
    keep: int = Field(7, ge=1, le=1000, description="the newest N snapshots are kept")
    dir: str = Field("data/backups", description="where snapshots go (mode 0600 each)")


class OffersSettings(_Section):
    """Win-back offers for at-risk members (``models.marketing.offers``): off until turned on."""

    winback_enabled: bool = False
    winback_time: str = Field("11:00", pattern=r"^\d{2}:\d{2}$")
    winback_multiplier: Decimal = Field(Decimal(2), gt=1, le=10)
    winback_valid_days: int = Field(14, ge=1, le=90)
    winback_cooldown_days: int = Field(90, ge=1, le=730)
    winback_silent_days: int = Field(60, ge=7, le=365)
    winback_control_percent: int = Field(10, ge=0, le=50)


class ApiSettings(_Section):
    enabled: bool = Field(True, description="served under /api/v1 on bot.listen_host:port")
    max_body_bytes: int = Field(64 * 1024, ge=1024, le=16 * 1024 * 1024)
    rate_per_second: float = Field(20, gt=0, le=100_000, description="per API key, refilled")
    rate_burst: int = Field(100, ge=1, le=1_000_000, description="requests a key may send at once")
    auth_failures_per_minute: float = Field(
        6, gt=0, le=100_000, description="failed authentications per client address, refilled"
    )
    auth_failure_burst: int = Field(
        20, ge=1, le=1_000_000, description="failed authentications an address may make at once"
    )


class WebhookSettings(_Section):
    """Webhooks out (``jifen webhook add``); see models/webhooks.py."""

    allow_private: bool = Field(
        False, description="allow private, loopback and link-local targets (tests, LAN)"
    )
    timeout_seconds: float = Field(10, gt=0, le=120, description="per delivery attempt")
    concurrency: int = Field(16, ge=1, le=256, description="requests in flight, all endpoints")
    per_endpoint: int = Field(4, ge=1, le=64, description="requests in flight per endpoint")


class MembersSettings(_Section):
    default_country: str = Field(
        "CN",
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166 region of phone numbers written without +country code",
    )


class FlowSettings(_Section):
    idle_hours: int = Field(24, ge=1, le=24 * 30, description="a half-done flow is forgotten")
    confirm_valid_minutes: int = Field(
        60, ge=1, le=24 * 60 * 7, description="a Confirm button stops working after this"
    )


class MiniAppSettings(_Section):
    max_age_seconds: int = Field(
        86400, ge=60, le=7 * 86400, description="initData older than this is refused (replay)"
    )
    rate_per_second: float = Field(5, gt=0, le=1000, description="per Telegram user, refilled")
    rate_burst: int = Field(30, ge=1, le=10_000)


class ConsoleSettings(_Section):
    """The back-office console at ``/console/`` (see ``api.console``)."""

    session_idle_minutes: int = Field(
        60, ge=5, le=24 * 60, description="a console session unused this long ends"
    )


class SandboxSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=1, le=65535)
    database_url: str = "sqlite://data/sandbox.sqlite3"


class LogSettings(_Section):
    format: str = Field(
        "text", pattern=r"^(text|json)$", description="json: one object per line, for machines"
    )


class MetricsSettings(_Section):
    enabled: bool = Field(False, description="serve /metrics (Prometheus) on the listener")
    token: SecretStr = Field(
        SecretStr(""), description="when set, /metrics wants Authorization: Bearer <token>"
    )


class Settings(BaseSettings):
    """All of jifen's configuration; ``rules`` is what the store's rule engine needs."""

    model_config = SettingsConfigDict(
        env_prefix="JIFEN_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )
    config_path: ClassVar[Path] = DEFAULT_CONFIG

    bot: BotSettings = BotSettings()
    database: DatabaseSettings = DatabaseSettings()
    access: AccessSettings = AccessSettings()
    security: SecuritySettings = SecuritySettings()
    outbox: OutboxSettings = OutboxSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    api: ApiSettings = ApiSettings()
    offers: OffersSettings = OffersSettings()
    sandbox: SandboxSettings = SandboxSettings()
    backup: BackupSettings = BackupSettings()
    webhooks: WebhookSettings = WebhookSettings()
    members: MembersSettings = MembersSettings()
    flows: FlowSettings = FlowSettings()
    miniapp: MiniAppSettings = MiniAppSettings()
    console: ConsoleSettings = ConsoleSettings()
    log: LogSettings = LogSettings()
    metrics: MetricsSettings = MetricsSettings()
    currency: Currency = Currency()
    earning: EarningRules = EarningRules()
    usage: UsageRules = UsageRules()
    expiry: ExpiryPolicy = ExpiryPolicy()
    tiers: Tiers = Tiers()
    bonuses: ActionBonuses = ActionBonuses()
    events: dict[str, EventRule] = {}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=cls.config_path)
        return (init_settings, env_settings, toml)

    @property
    def rules(self) -> RuleSet:
        return RuleSet(
            currency=self.currency,
            earning=self.earning,
            usage=self.usage,
            expiry=self.expiry,
            tiers=self.tiers,
            bonuses=self.bonuses,
            events=self.events,
        )

    def signing_seed(self) -> tuple[str | None, str | None]:
        """(the configured signing secret, a secret an older version left in ``secret_file``).

        Without the first, every instance uses the one generated into the store
        (:func:`models.store.secrets.shared_secret`), seeded with the second so buttons already
        out keep working after an upgrade.
        """
        if secret := self.security.secret.get_secret_value():
            return secret, None
        path = Path(self.security.secret_file)
        legacy = path.read_text().strip() if path.is_file() else ""
        return None, legacy or None


class SettingsError(Exception):
    """Invalid configuration; the message names every offending key."""


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"])
    env = "JIFEN_" + "__".join(str(p).upper() for p in error["loc"][:2])
    return f"{key} (env {env}): {error['msg']}"


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Read ``path`` (default ``config.toml``) and the environment, or explain what is wrong."""
    config_path = Path(path) if path else DEFAULT_CONFIG
    if path and not config_path.exists():
        raise SettingsError(f"config file not found: {config_path}")
    cls = type("LoadedSettings", (Settings,), {"config_path": config_path})
    try:
        return cls(**overrides)
    except ValidationError as exc:
        lines = [_describe(e) for e in exc.errors()]
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
