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
    manager_id: uuid.UUID | None = Field(
        default=None, description="The person's manager, where known: never matched with them."
    )


Role = Literal["mentee", "mentor", "admin"]


class UserUpdate(RequestBody):
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=3)
    active: bool | None = Field(default=None, description="False deactivates the account.")
    manager_id: uuid.UUID | None = Field(
        default=None,
        description="A user of the organisation, not the person themselves; null: no manager "
        "known. Matching never pairs someone with their manager.",
    )
