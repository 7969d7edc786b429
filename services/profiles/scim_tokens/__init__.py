"""SCIM bearer tokens an identity provider calls /scim/v2 with (`/v1/tenant/scim-tokens`)."""
