"""Plain values handed between the services and their callers (GUI, CLI, importers)."""
