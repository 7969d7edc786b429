"""Ranked mentor recommendations for one mentee, and the explanation of one pair."""
