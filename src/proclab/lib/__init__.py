"""Data structures every layer may use: tracepoints and wait queues."""
