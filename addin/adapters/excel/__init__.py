"""The Excel bridge: the open workbook through xlwings (xlwings_book) and the planned writes
into it (live)."""
