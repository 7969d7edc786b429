"""Users: the people of a tenant, their roles and whether they may act (`/v1/users`)."""
