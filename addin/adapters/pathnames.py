"""Looking at a path the user gave (a command-line argument, a folder or file named in the
workbook) without a traceback when the system refuses to look. pathlib's is_file(),
exists() and is_dir() answer False for a path that is not there, but pass on every other
refusal, such as a name over 255 bytes (ENAMETOOLONG, "File name too long") or a folder
without read rights: asked first, `unusable` turns those into a Dutch reason.

Example::

    >>> unusable(Path("x" * 300 + ".xlsx"))
    'een naam in het pad is te lang (File name too long)'
    >>> unusable(Path("bestaat-niet.xlsx")) is None
    True
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

# Dutch for the refusals a user can do something about; the system's words follow.
REASONS = {
    errno.ENAMETOOLONG: "een naam in het pad is te lang",
    errno.EACCES: "geen leesrechten op het bestand of de map",
    errno.EPERM: "het bestand of de map is afgeschermd",
    errno.ELOOP: "het pad verwijst in een kring naar zichzelf",
}


def reason(exc: OSError) -> str:
    """Why a path cannot be looked at, in Dutch, with the system's words after it."""
    return f"{REASONS.get(exc.errno or 0, 'het pad is onbruikbaar')} ({exc.strerror or exc})"


def unusable(path: Path) -> str | None:
    """Why the system will not look at `path`, in Dutch; None when it will (the path may
    still not exist: the caller says that in its own words)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return reason(exc)
    except ValueError:  # a NUL character: no system takes it
        return "het pad bevat een teken dat niet in een bestandsnaam kan (NUL)"
    return None
