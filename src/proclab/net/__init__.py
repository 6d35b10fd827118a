"""Networking (net/): sockets."""
