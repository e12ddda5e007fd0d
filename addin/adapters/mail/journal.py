"""The send journal `.debiteuren-verzonden.jsonl` beside the workbook: exactly once.

Before a message leaves, a line with its Document, Message-ID and recipients is appended
and fsync'd; after the server or Outlook accepted it, a second line says so. A run killed
anywhere in between therefore leaves either nothing (the message is sent next time), an
accepted line (never sent again; Verzonden is filled in from it), or a handed-over line
without acceptance: the fate is unknown and the user decides (`--markeer-verzonden` or
`--opnieuw`). The workbook's Verzonden column is the user's view; the journal is the proof
that survives a crash between the server's "250 OK" and the workbook write.

Only append, one JSON object per line, no password or message text: a line the program cannot
read (a crash mid-line) is skipped.

Example line::

    {"tijd": "2026-12-05T11:02:03", "document": "uitvoer/2026-12-05/x.pdf",
     "staat": "overgedragen", "message_id": "<...@bedrijf.nl>", "aan": ["jan@klant.nl"],
     "klant": "K007", "via": "SMTP"}
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from addin.adapters.tempfiles import sync_folder
from addin.adapters.workbook.xlsx_patch import write_failure
from addin.core.sending import JournalState, journal_states

JOURNAL_NAME = ".debiteuren-verzonden.jsonl"


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the journal."""

    time: str
    document: str
    state: JournalState
    message_id: str = ""
    to: tuple[str, ...] = ()
    customer: str = ""
    via: str = ""


def journal_path(workbook: Path) -> Path:
    return workbook.resolve().parent / JOURNAL_NAME


class JournalError(Exception):
    """The journal cannot be read or written: nothing may be sent (Dutch message)."""


class Journal:
    """The journal file of one workbook."""

    def __init__(self, workbook: Path) -> None:
        self.path = journal_path(workbook)

    def entries(self) -> list[Entry]:
        try:
            # A byte that is not UTF-8 (a disk error) spoils only its own line.
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []
        except OSError as exc:
            # Read as empty, every letter it names would go again.
            raise JournalError(
                f"het verzendlogboek '{self.path}' kan niet worden gelezen "
                f"({write_failure(exc)}): zonder dat logboek is niet te zien wat al is "
                "verstuurd"
            ) from None
        out = []
        for line in lines:
            try:
                data = json.loads(line)
                out.append(
                    Entry(
                        time=str(data.get("tijd", "")),
                        document=str(data["document"]),
                        state=JournalState(data["staat"]),
                        message_id=str(data.get("message_id", "")),
                        to=tuple(str(a) for a in data.get("aan", ())),
                        customer=str(data.get("klant", "")),
                        via=str(data.get("via", "")),
                    )
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # a line cut short by a crash: the state before it stands
        return out

    def states(self) -> dict[str, JournalState]:
        return journal_states([(e.document, e.state) for e in self.entries()])

    def last(self) -> dict[str, Entry]:
        """Each document's last entry that carries a Message-ID (the message it was about)."""
        out: dict[str, Entry] = {}
        for e in self.entries():
            if e.message_id or e.document not in out:
                out[e.document] = e
        return out

    def check_writable(self) -> None:
        """Refuse before anything is sent when the journal cannot take a line: each message
        is journaled before it leaves, so a journal that cannot be written sends nothing."""
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        except OSError as exc:
            raise JournalError(
                f"het verzendlogboek '{self.path}' kan niet worden geschreven "
                f"({write_failure(exc)})"
            ) from None
        os.close(fd)

    def record(self, entry: Entry) -> None:
        """Append one line and make sure it is on disk before returning; JournalError when it
        cannot (the disk full, a folder put in its place, the rights taken away mid-run)."""
        try:
            self._append(entry)
        except OSError as exc:
            raise JournalError(
                f"het verzendlogboek '{self.path}' neemt geen regel meer aan ({write_failure(exc)})"
            ) from None

    def _append(self, entry: Entry) -> None:
        line = json.dumps(
            {
                "tijd": entry.time or datetime.now().isoformat(timespec="seconds"),
                "document": entry.document,
                "staat": entry.state.value,
                "message_id": entry.message_id,
                "aan": list(entry.to),
                "klant": entry.customer,
                "via": entry.via,
            },
            ensure_ascii=False,
        )
        new = not self.path.exists()
        # 0o666 less the umask, as any new file: a colleague who sends from the same shared
        # workbook must read what was sent already, or it would go twice.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            # A line cut short by an earlier crash must not swallow this one.
            if not new and os.fstat(fd).st_size and not self._ends_with_newline():
                os.write(fd, b"\n")
            # os.write may write part of the line and return its count, with no error (a
            # disk that fills up, a file size limit): the error comes with the next write.
            # Taken as written, the line would be cut off and the message sent unrecorded.
            data = memoryview(line.encode("utf-8") + b"\n")
            while data:
                written = os.write(fd, data)
                if not written:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                data = data[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if new:
            sync_folder(self.path.parent)

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"
