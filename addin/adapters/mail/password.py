"""The SMTP password: from the environment, else the operating system's credential store.

Never from the workbook or a file. ``DEBITEUREN_SMTP_WACHTWOORD`` wins when set (scheduled
runs, systems without a credential store); otherwise `keyring` asks Windows Credential
Manager, the macOS Keychain or the Secret Service, under the service "debiteuren-smtp" and
the account "<SMTP-gebruiker>@<SMTP-server>". `debiteuren wachtwoord BOEK` stores it once.

Example::

    >>> account("info@bakkerij.nl", "mail.provider.nl")
    'info@bakkerij.nl@mail.provider.nl'
"""

from __future__ import annotations

import os

import keyring
from keyring.errors import KeyringError

PASSWORD_ENV = "DEBITEUREN_SMTP_WACHTWOORD"
SERVICE = "debiteuren-smtp"


class PasswordError(Exception):
    """The credential store cannot be used; the Dutch message says what to do."""


def account(user: str, server: str) -> str:
    return f"{user.strip()}@{server.strip().casefold()}"


def smtp_password(user: str, server: str) -> str | None:
    """The password for this user on this server, or None when none is stored."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    try:
        return keyring.get_password(SERVICE, account(user, server))
    except (KeyringError, RuntimeError) as exc:
        raise PasswordError(
            f"de wachtwoordkluis van het systeem is niet te gebruiken ({exc}); zet het "
            f"wachtwoord in de omgevingsvariabele {PASSWORD_ENV}"
        ) from None


def store_password(user: str, server: str, password: str) -> None:
    try:
        keyring.set_password(SERVICE, account(user, server), password)
    except (KeyringError, RuntimeError) as exc:
        raise PasswordError(
            f"het wachtwoord kan niet in de wachtwoordkluis van het systeem worden bewaard "
            f"({exc}); gebruik de omgevingsvariabele {PASSWORD_ENV}"
        ) from None
