"""The user's commands (DESIGN: the CLI contract)."""
