"""The Qt interface. Everything that imports PySide6 lives here, on top of the core."""
