"""The CPU architectures user programs run on (only x86-64)."""
