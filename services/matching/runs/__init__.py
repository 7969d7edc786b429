"""Cohort matching runs: queued by an admin, computed by a worker, assignments stored."""
