"""Configuration, read once from the environment (see the README's table)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE_NAMES = ("profiles", "matching", "proposals", "progress")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    database_url: str = Field(
        default="",
        description="PostgreSQL URL. Empty: the embedded server under DATA_DIR is used.",
    )
    redis_url: str = Field(
        default="",
        description="Redis URL (redis:// or unix://). Empty: the embedded server is used.",
    )
    data_dir: Path = Field(default=Path(".data"), description="Embedded servers' data and keys.")
    port: int = Field(default=8000, description="Port of the gateway.")
    public_base_url: str = Field(
        default="",
        description=(
            "Where clients reach the API (https://api.example.com): the base of links the API "
            "hands out, such as SCIM's meta.location. Empty: http://localhost:PORT."
        ),
    )
    host: str = Field(
        default="127.0.0.1",
        description="Address the gateway and split services listen on; 0.0.0.0 in a container.",
    )
    metrics_port: int = Field(
        default=9464,
        description="Port of /metrics, apart from the public API port (on HOST); 0: not served.",
    )
    service_mode: Literal["mounted", "split"] = Field(
        default="mounted",
        description="mounted: services run inside the gateway; split: the gateway proxies to URLs.",
    )
    service_name: str = Field(
        default="", description="Split mode: which service this process runs."
    )
    profiles_url: str = "http://127.0.0.1:8001"
    matching_url: str = "http://127.0.0.1:8002"
    proposals_url: str = "http://127.0.0.1:8003"
    progress_url: str = "http://127.0.0.1:8004"
    gateway_secret: str = Field(
        default="",
        description="Split mode: what the gateway proves itself with to the services; empty: "
        "DATA_DIR/gateway-secret, created on first use.",
    )
    upstream_connect_timeout_seconds: float = Field(
        default=2.0, description="Split mode: how long the gateway waits to reach a service."
    )
    upstream_read_timeout_seconds: float = Field(
        default=30.0, description="Split mode: how long the gateway waits for a service to answer."
    )

    token_issuer: str = "mentorship-local"
    token_audience: str = "mentorship"
    token_ttl_seconds: int = 3600
    signing_key_path: Path | None = Field(
        default=None,
        description="Ed25519 PEM key of the local issuer; default DATA_DIR/signing-key.pem.",
    )

    user_state_ttl_seconds: int = Field(
        default=300,
        description="How long a user's roles and active flag stay cached in Redis at most "
        "(changes drop the entry at once; this is the backstop).",
    )

    rate_limit_user_per_minute: int = 1200
    rate_limit_tenant_per_minute: int = 12000
    rate_limit_address_per_minute: int = Field(
        default=300,
        description="Requests without a valid access token, per client address.",
    )
    idempotency_ttl_hours: int = 24
    max_body_bytes: int = Field(
        default=130 * 1024 * 1024,
        description="Largest request body accepted (bulk imports are the large ones).",
    )
    db_pool_size: int = Field(
        default=20, description="Connections per process (plus half again in bursts)."
    )
    log_level: str = "INFO"
    log_json: bool = True
    local_development: bool = Field(
        default=False,
        description="Allows loopback webhook targets and http SSO URLs on loopback hosts; "
        "`make run` turns it on.",
    )
    interactive_queue: str = Field(
        default="mentorship:interactive",
        description="The arq queue of work a person waits for (an import's start, holds).",
    )
    bulk_queue: str = Field(
        default="mentorship:bulk",
        description="The arq queue of bulk work (relaying a large import's events, sweeps).",
    )
    outbox_max_attempts: int = Field(
        default=8,
        description="Tries of one event's delivery to one subscriber before it is parked.",
    )
    outbox_retry_seconds: float = Field(
        default=10.0,
        description="Wait before a failed delivery's first retry; doubles with each try.",
    )
    matching_index_idle_minutes: float = Field(
        default=30,
        gt=0,
        description="A tenant's in-memory mentor index is dropped after this long unused (the "
        "next recommendation loads it again); bounds each process's memory to the tenants "
        "in use.",
    )
    matching_warm_tenants: int = Field(
        default=20,
        ge=0,
        description="When a process serving matching starts, it loads in the background the "
        "mentor indexes of this many tenants (those with the most mentors first), so their "
        "first recommendation does not wait for a full load; 0 turns the warm-up off.",
    )
    outbox_retention_hours: int = Field(
        default=168,
        description="How long delivered deliveries and finished events are kept; parked ones "
        "are kept until retried.",
    )

    @property
    def base_url(self) -> str:
        """The public base URL without a trailing slash. Never the request's Host header: a
        client could name any host there, and behind a proxy it names the proxy's upstream."""
        return self.public_base_url.rstrip("/") or f"http://localhost:{self.port}"

    @property
    def key_path(self) -> Path:
        return self.signing_key_path or self.data_dir / "signing-key.pem"

    def service_url(self, name: str) -> str:
        url: str = getattr(self, f"{name}_url")
        return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
