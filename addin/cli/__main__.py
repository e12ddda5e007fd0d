"""`python -m addin.cli`: the same as the `debiteuren` command."""

import sys

from addin.cli import main

sys.exit(main())
