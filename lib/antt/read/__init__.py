"""Read: any supported file -> a grid of cells; one return -> tidy rows with provenance."""
