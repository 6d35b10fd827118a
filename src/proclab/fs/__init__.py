"""Files (fs/): the VFS, descriptor tables, pipes, the console, /proc, and every file system call."""
