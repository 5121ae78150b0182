"""models of the Qt interface."""
