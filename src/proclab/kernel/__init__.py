"""The process subsystem, one module per concern, named after Linux's."""
