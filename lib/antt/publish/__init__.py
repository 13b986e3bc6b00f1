"""Publish: charts, deck, workbooks and the quality report: the files people open."""
