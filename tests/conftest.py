"""Imported by pytest before any test module: the addin package first, so openpyxl writes the
same bytes with or without lxml installed (addin/__init__.py; the tests use lxml to validate)."""

import addin  # noqa: F401
