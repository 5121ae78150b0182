"""tabs of the Qt interface."""
