"""Store: the processed frames, ingest (atomic, content-hashed) and reading them back."""
