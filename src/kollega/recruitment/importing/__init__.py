"""Importing registrations from another tool (CSV or XLSX): reading, checking, and the import itself.

- ``reading``: bytes in, a table of text cells out (pure).
- ``checking``: a table and a column mapping checked against the registration form (pure).
- ``services``: the ``ImportJob`` states, the dry run and the import (writes).
- ``selectors``: the imports a coordinator may see.
"""

from kollega.recruitment.importing.reading import MAX_BYTES, MAX_ROWS, ImportFileError, Table, read_table

__all__ = ["MAX_BYTES", "MAX_ROWS", "ImportFileError", "Table", "read_table"]
