"""The skill vocabulary and autocomplete over it and the tenant's own skills (`/v1/skills`)."""
