"""Tagging services: suggested service types and the over-classification guard."""
