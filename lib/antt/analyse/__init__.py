"""Analyse: a processed cycle as frames for notebooks and exports; no reader, no writer."""
