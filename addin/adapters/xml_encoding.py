"""The encoding an XML file declares in its prolog, read before any parser sees the file
(bank statements and e-invoices both refuse an encoding they cannot read, in Dutch)."""

from __future__ import annotations

import re

# <?xml version="1.0" encoding="..."?>, after an optional UTF-8 byte order mark.
_DECLARED = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)")


def declared_encoding(data: bytes) -> str | None:
    """The encoding named in the XML declaration, stripped; None without one (an empty
    `encoding=""` is '', which no parser reads either).

    >>> declared_encoding(b'<?xml version="1.0" encoding="UTF-32"?><a/>')
    'UTF-32'
    """
    found = _DECLARED.match(data)
    return found.group(1).decode("ascii", "replace").strip() if found else None
