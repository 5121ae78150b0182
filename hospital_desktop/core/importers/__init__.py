"""Importers: bring records from other systems' exports (Synthea CSV; FHIR later)."""
