"""Request and response bodies of the tenant."""

import ipaddress
import uuid
from datetime import datetime
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, model_validator

from services.core.schemas import RequestBody, ResponseBody
from services.core.settings import get_settings

DEFAULT_MAX_PENDING_PER_MENTEE = 5
DEFAULT_REQUEST_EXPIRY_DAYS = 14
DEFAULT_EVALUATION_INTERVAL_DAYS = 30


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secure_url(value: str) -> str:
    """An https URL with a host; http only to a loopback host, and only in local development
    (an identity provider faked on this machine)."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as error:
        raise ValueError("is not a URL") from error
    if not host:
        raise ValueError("must be an absolute URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not hold a user name or password")
    if parts.scheme == "https":
        return value
    if parts.scheme == "http" and _is_loopback(host) and get_settings().local_development:
        return value
    raise ValueError("must be an https URL")


SecureUrl = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(secure_url)]


class SsoSettings(RequestBody):
    issuer: SecureUrl
    audience: str = Field(min_length=1, max_length=500)
    jwks_uri: SecureUrl


class RequestPolicyUpdate(RequestBody):
    """Only the keys sent change; the others keep their stored (or default) value."""

    max_pending_per_mentee: int = Field(default=DEFAULT_MAX_PENDING_PER_MENTEE, ge=1, le=50)
    expiry_days: int = Field(default=DEFAULT_REQUEST_EXPIRY_DAYS, ge=1, le=90)


class EvaluationPolicyUpdate(RequestBody):
    interval_days: int = Field(default=DEFAULT_EVALUATION_INTERVAL_DAYS, ge=7, le=365)


class TenantSettingsUpdate(RequestBody):
    """Each part sent replaces (sso) or is merged into (the policies) what is stored; parts not
    sent are kept. `sso: null` removes single sign-on."""

    sso: SsoSettings | None = None
    request_policy: RequestPolicyUpdate | None = None
    evaluation_policy: EvaluationPolicyUpdate | None = None

    @model_validator(mode="after")
    def policies_not_null(self) -> Self:
        for name in ("request_policy", "evaluation_policy"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may not be null; send the keys to change")
        return self


class TenantUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    settings: TenantSettingsUpdate | None = None


class SsoRead(ResponseBody):
    issuer: str
    audience: str
    jwks_uri: str


class RequestPolicyRead(ResponseBody):
    max_pending_per_mentee: int = DEFAULT_MAX_PENDING_PER_MENTEE
    expiry_days: int = DEFAULT_REQUEST_EXPIRY_DAYS


class EvaluationPolicyRead(ResponseBody):
    interval_days: int = DEFAULT_EVALUATION_INTERVAL_DAYS


class TenantSettingsRead(ResponseBody):
    """The settings in effect: what the organisation stored, defaults for the rest."""

    sso: SsoRead | None = None
    request_policy: RequestPolicyRead = Field(default_factory=RequestPolicyRead)
    evaluation_policy: EvaluationPolicyRead = Field(default_factory=EvaluationPolicyRead)


class TenantRead(ResponseBody):
    id: uuid.UUID
    slug: str
    name: str
    settings: TenantSettingsRead
    created_at: datetime
