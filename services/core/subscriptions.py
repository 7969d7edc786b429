"""How the platform itself reacts to events."""

from services.core.outbox import subscriber
from services.core.user_state import USER_STATE_EVENTS, forget_on_event

# The durable drop of a user's cached authority (see services.core.user_state): it repeats the
# drop made right after the commit, in case Redis was unreachable then.
subscriber(*USER_STATE_EVENTS, name="core.forget_cached_user_state")(forget_on_event)
