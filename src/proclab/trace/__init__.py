"""Consumers of the kernel's tracepoints: summaries now; text logs, Perfetto
traces and timelines later. Nothing here changes what the kernel does."""
