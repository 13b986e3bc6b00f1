"""antt: the returns of the movement "Toàn dân bảo vệ an ninh Tổ quốc" into tidy data and reports.

The package flows one way; each layer imports only from the layers before it (an import-linter
contract in pyproject.toml, checked by ``make test``):

    core -> read -> check -> store -> analyse -> publish -> the face (cli, pipeline, bench)
                                            make (sample, templates) ---^
"""

__version__ = "0.2.0"
