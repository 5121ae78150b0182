"""Hospital Desktop: a front-desk application for hospitals."""

__version__ = "0.1.0"
APP_NAME = "Hospital Desktop"
