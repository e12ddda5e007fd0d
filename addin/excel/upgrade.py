"""Bring the VBA project of a workbook made by an earlier version up to this one.

Our modules (`vba.modules()`: xlwings, Dictionary, xlwings_udfs, UdfHelp, Ribbon and the
workbook's document module) are replaced by the current text when their code differs, and
added when missing; every other module (sheet modules, the user's own Module1, forms) is
left as it is. The work is done by pyOpenVBA on a copy in a temporary folder; the caller
gets the new vbaProject.bin bytes and puts them in through the safe write-back
(adapters/workbook/xlsx_patch.py), so nothing else in the package changes.

Code is compared without the attribute lines and line-end differences, so a project that
is up to date gives no new bytes and a second `bijwerken` changes nothing.

Example::

    >>> update = update_project(old_bytes, "ThisWorkbook")            # doctest: +SKIP
    >>> update.changed                                                # doctest: +SKIP
    ('Ribbon',)
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyopenvba import ExcelFile, VBAModuleKind

from addin.excel.vba import Module, modules

VBA_ENTRY = "xl/vbaProject.bin"  # where pyOpenVBA looks for the project in a package


@dataclass(frozen=True, slots=True)
class ProjectUpdate:
    """What `update_project` found and did.

    Attributes:
      content: the new vbaProject.bin, or None when nothing changes (up to date, or refused).
      changed: the names of the modules replaced or added, in project order.
      refusal: why the project was left alone (signed, password, unreadable), Dutch; or None.
    """

    content: bytes | None
    changed: tuple[str, ...]
    refusal: str | None = None


def code_body(source: str) -> str:
    """A module's code as compared: LF line ends, no class export preamble, no attribute
    lines at the top, no trailing spaces or blank lines."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = 0
    if lines and lines[0].startswith("VERSION ") and "CLASS" in lines[0]:
        end = next((k for k, line in enumerate(lines) if line.strip() == "END"), None)
        start = end + 1 if end is not None else 0
    while start < len(lines) and lines[start].startswith("Attribute VB_"):
        start += 1
    return "\n".join(line.rstrip() for line in lines[start:]).strip("\n")


def update_project(
    project_bytes: bytes,
    code_name: str | None,
    package: Path,
    current: Sequence[Module] | None = None,
) -> ProjectUpdate:
    """The vbaProject.bin `project_bytes` (of the workbook at `package`) with our modules
    as in `current` (default: the modules a build writes now)."""
    current = tuple(modules()) if current is None else tuple(current)
    with tempfile.TemporaryDirectory(prefix="debiteuren-vba-") as folder:
        staged = Path(folder) / "werkmap.xlsm"
        _stage(package, project_bytes, staged)
        try:
            return _update(staged, code_name or "ThisWorkbook", current)
        except Exception as exc:  # pyOpenVBA's own errors: a project it cannot read
            return ProjectUpdate(
                None,
                (),
                f"het VBA-project kan niet gelezen worden ({type(exc).__name__}: {exc}); de "
                "macro's zijn niet bijgewerkt",
            )


def _stage(package: Path, project_bytes: bytes, staged: Path) -> None:
    """A copy of the workbook with the project where pyOpenVBA reads it."""
    with zipfile.ZipFile(package) as src:
        if src.namelist().count(VBA_ENTRY) == 1 and src.read(VBA_ENTRY) == project_bytes:
            shutil.copyfile(package, staged)
            return
        with zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename != VBA_ENTRY:
                    dst.writestr(info, src.read(info))
            dst.writestr(VBA_ENTRY, project_bytes)


def _update(staged: Path, code_name: str, current: Sequence[Module]) -> ProjectUpdate:
    with ExcelFile(staged) as wb:
        if wb.vba_signature().present:
            return ProjectUpdate(
                None,
                (),
                "het VBA-project is digitaal ondertekend; bijwerken zou de handtekening "
                "ongeldig maken, dus de macro's en het lint zijn niet bijgewerkt",
            )
        project = wb.vba_project()
        if project.protection is not None and project.protection.has_password:
            return ProjectUpdate(
                None,
                (),
                "het VBA-project is met een wachtwoord beveiligd; de macro's en het lint "
                "zijn niet bijgewerkt (haal in Excel de beveiliging eraf: Extra > "
                "Eigenschappen van VBAProject > Beveiliging)",
            )
        have = {name.casefold(): name for name in wb.module_names()}
        changed: list[str] = []
        for module in current:
            target = code_name if module.kind == "document" else module.name
            existing = have.get(target.casefold())
            if existing is not None:
                if code_body(wb.get_module(existing)) != code_body(module.source):
                    wb.set_module(existing, module.source)
                    changed.append(module.name)
            elif module.kind != "document":  # a workbook always has its document module
                kind = VBAModuleKind.other if module.kind == "class" else VBAModuleKind.standard
                project.add_module(module.name, module.source, kind=kind)
                changed.append(module.name)
        if not changed:
            return ProjectUpdate(None, ())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb.save()
    with zipfile.ZipFile(staged) as result:
        return ProjectUpdate(result.read(VBA_ENTRY), tuple(changed))


__all__ = ["ProjectUpdate", "code_body", "update_project"]
