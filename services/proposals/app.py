"""The proposals service: mentorship requests, their review and their lifecycle."""

from fastapi import FastAPI

from services.core.app import create_service_app
from services.proposals.router import router


def create_app(*, standalone: bool = True) -> FastAPI:
    return create_service_app(
        "proposals",
        [router],
        description="Mentorship requests: drafts, coaching review and a strict lifecycle.",
        standalone=standalone,
    )
