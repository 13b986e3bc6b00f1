"""Core: text, units, cycles, findings, the forms and indicators as data, settings and atomic writes."""
