"""The tenant: an organisation, the `tenant_id` of every row it owns (`/v1/tenant`)."""
