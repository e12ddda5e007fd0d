"""`python -m addin.cli`: the same as the `debiteuren` command."""

from addin.cli import run

run()
