"""System V IPC (ipc/): shared memory, semaphores and message queues."""
