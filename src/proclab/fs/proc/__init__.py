"""The proc filesystem (fs/proc/)."""
