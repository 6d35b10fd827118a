"""Data structures every layer may use: tracepoints, wait queues and the
poll table."""
