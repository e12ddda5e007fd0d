"""Seeded fuzzing of the command line: mutated bank files and workbooks (issue 12)."""
