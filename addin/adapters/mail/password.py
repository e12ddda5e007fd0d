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
from keyring.errors import KeyringError, KeyringLocked, NoKeyringError

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
            f"het wachtwoord kan niet uit de wachtwoordkluis worden gelezen: {_trouble(exc)}. "
            f"Zet het wachtwoord in de omgevingsvariabele {PASSWORD_ENV}"
        ) from None


def store_password(user: str, server: str, password: str) -> None:
    try:
        keyring.set_password(SERVICE, account(user, server), password)
    except (KeyringError, RuntimeError) as exc:
        raise PasswordError(
            f"het wachtwoord kan niet worden bewaard: {_trouble(exc)}. Zet het wachtwoord in "
            f"de omgevingsvariabele {PASSWORD_ENV}"
        ) from None


def _trouble(exc: BaseException) -> str:
    """What went wrong with the credential store, in Dutch. keyring's own text is English
    and, for the two common cases, advice for developers ("Install a recommended 3rd party
    backend package; or, install the keyrings.alt package ..."): those get a Dutch sentence
    only. Any other failure keeps its text as a detail after the Dutch, for whoever helps."""
    if isinstance(exc, NoKeyringError):
        return "deze computer heeft geen wachtwoordkluis die het programma kan gebruiken"
    if isinstance(exc, KeyringLocked):
        return (
            "de wachtwoordkluis van het systeem is vergrendeld (ontgrendel hem, bijvoorbeeld "
            "door opnieuw in te loggen)"
        )
    detail = " ".join(str(exc).split())
    return "de wachtwoordkluis van het systeem gaf een fout" + (
        f" (melding van het systeem: {detail})" if detail else ""
    )
