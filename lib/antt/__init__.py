"""antt: district returns of the movement "Toàn dân bảo vệ an ninh Tổ quốc" into tidy data and reports.

The package flows one way (see README): text, units -> workbook -> forms -> returns -> validate
-> indicators -> charts -> export, with cli/pipeline on top.
"""

__version__ = "0.1.0"
