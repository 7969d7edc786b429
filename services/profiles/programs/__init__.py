"""Programs and their participants (`/v1/programs`)."""
