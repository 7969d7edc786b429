"""Mentor search over profiles (`/v1/mentors`)."""
