"""Services: take plain values and a unit of work, enforce the rules, raise domain errors."""
