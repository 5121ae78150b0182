"""The core: domain rules, services, repositories and importers. It never imports Qt."""
