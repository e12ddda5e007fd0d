"""Classic Outlook for Windows through COM: each letter an Outlook draft, or sent.

The only place that talks to Outlook. The COM surface used is small on purpose:
``Application.CreateItem(0)`` (a MailItem), its ``Recipients.Add`` (and each recipient's
``Type``: 1 To, 3 Bcc) and ``ResolveAll``, ``Subject``, ``Body``, ``HTMLBody``,
``Attachments.Add(path)``, ``Save`` (a draft in Concepten) and ``Send``. The draft's text,
subject and attachments come from the .eml as the user left it; recipients only from its
validated To (message.load_draft). Outlook sends from its own account, so From is Outlook's.

pywin32 comes with xlwings on Windows; `win32com` is imported only when Outlook is used, so
this module loads on any system. Tests drive it with a stand-in object of the same surface;
what only a real Outlook shows (the draft in Concepten, the send) is not tested here.

Example::

    with OutlookTransport(send=False) as t:
        t.send(draft, envelope_from="", before_data=lambda: journal.record(...))
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from addin.adapters.documents.paths import safe_name
from addin.adapters.mail.message import Draft, html_body, plain_body
from addin.adapters.mail.smtp import SendError

OL_MAIL_ITEM = 0
OL_TO, OL_BCC = 1, 3


def outlook_application() -> Any:
    """The running (or a new) classic Outlook, through COM; a Dutch SendError elsewhere."""
    try:
        import win32com.client  # pywin32, Windows only
    except ImportError:
        raise SendError(
            "Outlook is alleen te gebruiken met het klassieke Outlook op Windows (pywin32 "
            "ontbreekt); kies SMTP of Concept-map bij Verzenden via",
            fatal=True,
        ) from None
    try:
        return win32com.client.Dispatch("Outlook.Application")
    except Exception as exc:  # pywintypes.com_error and friends
        raise SendError(
            f"Outlook kan niet worden gestart ({exc}); het nieuwe Outlook heeft geen COM: "
            "gebruik het klassieke Outlook, of kies SMTP",
            fatal=True,
        ) from None


class OutlookTransport:
    """Makes each message an Outlook draft (`send=False`) or sends it (`send=True`)."""

    def __init__(self, *, send: bool, application: Callable[[], Any] = outlook_application):
        self.sending = send
        self.way = "Outlook" if send else "Outlook concept"
        self._factory = application
        self._app: Any = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> OutlookTransport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        self._app = None

    def _folder(self) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="debiteuren-outlook-")
        return Path(self._tmp.name)

    def send(self, draft: Draft, envelope_from: str, before_data: Callable[[], None]) -> None:
        if self._app is None:
            self._app = self._factory()
        msg = draft.message
        # Attachments.Add takes a file path: the .eml's attachments as files, as they are.
        files: list[Path] = []
        folder = self._folder() / str(len(list(self._folder().iterdir())))
        folder.mkdir()
        for k, part in enumerate(msg.iter_attachments()):
            name = safe_name(part.get_filename() or f"bijlage-{k + 1}", 150)
            path = folder / name
            payload = part.get_payload(decode=True)
            path.write_bytes(payload if isinstance(payload, bytes) else b"")
            files.append(path)
        try:
            item = self._app.CreateItem(OL_MAIL_ITEM)
            for address in draft.to:
                item.Recipients.Add(address).Type = OL_TO
            for address in draft.bcc:
                item.Recipients.Add(address).Type = OL_BCC
            if not item.Recipients.ResolveAll():
                raise SendError("Outlook kan het adres niet herkennen: " + "; ".join(draft.to))
            item.Subject = draft.subject
            html = html_body(msg)
            if html:
                item.HTMLBody = html
            else:
                item.Body = plain_body(msg)
            for path in files:
                item.Attachments.Add(str(path))
        except SendError:
            raise
        except Exception as exc:  # a COM error while building the item: nothing left yet
            raise SendError(f"Outlook kon het bericht niet maken ({exc})") from None
        before_data()
        try:
            if self.sending:
                item.Send()
            else:
                item.Save()
        except Exception as exc:
            raise SendError(
                f"Outlook gaf een fout bij {'versturen' if self.sending else 'opslaan'} ({exc}); "
                "onbekend of het bericht in Outlook staat",
                unsure=True,
            ) from None
