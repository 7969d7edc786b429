"""Profiles: what a person writes about themselves, and what is derived from it (`/v1/profiles`)."""
