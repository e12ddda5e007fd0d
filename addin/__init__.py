"""Debiteuren: debt collection from the Excel workbook a Dutch small business keeps."""

__version__ = "0.1.0"
