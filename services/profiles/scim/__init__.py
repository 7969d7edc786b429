"""SCIM 2.0 provisioning (RFC 7643/7644): identity providers create, update and deactivate
users and push groups that grant roles and program places. The protocol is scim2-server's;
this package supplies the tenant's token check, a PostgreSQL storage and the group rules."""
