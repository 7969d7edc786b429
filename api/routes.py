"""Every service, its app factory and the public paths it answers (used by the gateway)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI

from services.matching.app import create_app as matching_app
from services.profiles.app import create_app as profiles_app
from services.progress.app import create_app as progress_app
from services.proposals.app import create_app as proposals_app


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    create_app: Callable[..., FastAPI]
    paths: tuple[str, ...]  # regular expressions over the request path
    # Paths that authenticate otherwise than with an access token (SCIM tokens, signed events):
    # the gateway lets them through and the service checks them.
    public_paths: tuple[str, ...] = ()


SERVICES: tuple[ServiceSpec, ...] = (
    # More specific routes first: a program's report belongs to progress, programs to profiles.
    ServiceSpec(
        "progress", progress_app, (r"^/v1/programs/[^/]+/report$", r"^/v1/mentorships(/|$)")
    ),
    ServiceSpec("matching", matching_app, (r"^/v1/matching(/|$)",)),
    ServiceSpec("proposals", proposals_app, (r"^/v1/requests(/|$)",)),
    ServiceSpec(
        "profiles",
        profiles_app,
        (
            r"^/v1/(tenant|users|programs|profiles|mentors|skills|admin)(/|$)",
            r"^/scim/v2(/|$)",
        ),
        public_paths=(r"^/scim/v2(/|$)",),
    ),
)

ROUTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), spec.name) for spec in SERVICES for pattern in spec.paths
)

PUBLIC: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern) for spec in SERVICES for pattern in spec.public_paths
)


def service_for(path: str) -> str | None:
    for pattern, name in ROUTES:
        if pattern.match(path):
            return name
    return None


def is_public(path: str) -> bool:
    return any(pattern.match(path) for pattern in PUBLIC)
