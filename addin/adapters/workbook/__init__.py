"""Workbook files: read the tables (reader, cells), write a new workbook (book_writer), and
patch the parts the tool owns in an existing one (xlsx_patch)."""
