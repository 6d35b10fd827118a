"""Files: descriptor tables, the console, pipes, read-only host files."""
