"""Request and response bodies of users."""

import uuid
from typing import Literal

from pydantic import Field

from services.core.schemas import RequestBody, ResponseBody


class UserRead(ResponseBody):
    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    display_name: str
    roles: list[str]
    active: bool


Role = Literal["mentee", "mentor", "admin"]


class UserUpdate(RequestBody):
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=3)
    active: bool | None = Field(default=None, description="False deactivates the account.")
