"""The VBA modules of the workbook, as text: what pyOpenVBA puts into the project.

    xlwings        xlwings' standalone module: the installed xlwings' xlwings.bas, line for
                   line (the embedded module and the Python package must be the same version)
    Dictionary     xlwings' Mac replacement for Scripting.Dictionary, taken from the package's
                   quickstart_standalone.xlsm
    xlwings_udfs   the worksheet-function wrappers, written by xlwings' own "Import Functions"
                   code (`xlwings.udfs.import_udfs`) run here against a recording stand-in
                   for the workbook, with pywin32 stubbed where it is missing
    UdfHelp        generated: Application.MacroOptions calls with the descriptions that
                   "Import Functions" sets in Excel (xlwings cannot store them in the file)
    Ribbon         the ribbon callbacks (workbook/vba/Ribbon.bas)
    ThisWorkbook   Workbook_Open: Peildatum and the descriptions (workbook/vba/ThisWorkbook.cls)

Every text is CRLF and within code page 1252, as the VBA editor stores it.

Example::

    >>> udfs = udf_import("addin.udfs")
    >>> udfs.wrappers.splitlines()[0]
    'Attribute VB_Name = "xlwings_udfs"'
    >>> "INCASSOKOSTEN" in [o.name for o in udfs.options]
    True
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pyopenvba import ExcelFile, VBAModuleKind

UDF_MODULE = "addin.udfs"
CODE_PAGE = "cp1252"
HELP_MODULE = "UdfHelp"
# What the workbook is called while the wrappers are generated: not an .xlam, so the wrappers
# pass ThisWorkbook (an add-in would pass ActiveWorkbook).
_WORKBOOK_NAME = "Debiteuren.xlsm"
_PYWIN32 = ("pythoncom", "pywintypes", "win32com", "win32com.client")
# xlwings' decorators as xlwings binds them on Windows (xlwings/__init__.py).
_WINDOWS_DECORATORS = {
    "func": "xlfunc",
    "arg": "xlarg",
    "ret": "xlret",
    "sub": "xlsub",
    "script": "xlsub",
}


@dataclass(frozen=True, slots=True)
class Module:
    """One module of the VBA project.

    Attributes:
      name: the module's name (VB_Name).
      source: the full text, CRLF; for ThisWorkbook only the code after its attribute lines.
      kind: standard module, class module, or the workbook's document module.
    """

    name: str
    source: str
    kind: str  # "standard", "class" or "document"


@dataclass(frozen=True, slots=True)
class MacroOption:
    """What xlwings' "Import Functions" tells Excel about one function (MacroOptions)."""

    name: str
    description: str
    category: str
    arguments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UdfImport:
    """The result of xlwings' "Import Functions": the module text and the descriptions."""

    wrappers: str
    options: tuple[MacroOption, ...]


# --- sources ---------------------------------------------------------------------------


def sources_dir() -> Path:
    """workbook/ of the source checkout, else the copy installed as package data."""
    checkout = Path(__file__).resolve().parents[2] / "workbook"
    if (checkout / "customUI14.xml").is_file():
        return checkout
    return Path(str(resources.files("addin") / "workbook"))


def crlf(text: str) -> str:
    """Line ends as the VBA editor stores them; refuses text outside code page 1252."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    try:
        text.encode(CODE_PAGE)
    except UnicodeEncodeError as exc:
        raise ValueError(f"VBA-tekst bevat een teken buiten codetabel 1252: {exc}") from None
    return text


def xlwings_module() -> str:
    """The installed xlwings' xlwings.bas, line for line."""
    import xlwings

    path = Path(xlwings.__file__).with_name("xlwings.bas")
    return crlf(path.read_bytes().decode(CODE_PAGE))


def dictionary_class() -> str:
    """The Dictionary class module as stored in xlwings' quickstart_standalone.xlsm."""
    import xlwings

    with ExcelFile(Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")) as wb:
        return crlf(wb.get_module("Dictionary"))


def source_module(filename: str) -> str:
    """A hand-written module from workbook/vba."""
    return crlf((sources_dir() / "vba" / filename).read_text(encoding="utf-8"))


# --- the worksheet functions: xlwings' own "Import Functions" ----------------------------


class _Recorder:
    """Stands in for the Excel workbook that "Import Functions" runs against: it keeps the
    module file xlwings imports and the MacroOptions calls it makes. False in a boolean test,
    so xlwings' look-up of code embedded in sheets (a licensed feature) is skipped."""

    Name = _WORKBOOK_NAME

    def __init__(self) -> None:
        self.imported: list[str] = []
        self.options: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.VBProject = types.SimpleNamespace(VBComponents=_Components(self.imported))
        self.Application = types.SimpleNamespace(
            Version="16.0", MacroOptions=self._macro_options, Run=self._run
        )

    def __bool__(self) -> bool:
        return False

    def _macro_options(self, *args: Any, **kwargs: Any) -> None:
        self.options.append((args, kwargs))

    def _run(self, _macro: str, path: str) -> None:  # xlwings' fallback import route
        self.imported.append(Path(path).read_bytes().decode(CODE_PAGE))


class _Components:
    def __init__(self, imported: list[str]) -> None:
        self.imported = imported

    def __call__(self, name: str) -> str:
        return name

    def Remove(self, _component: object) -> None:
        pass

    def Import(self, path: str) -> None:
        self.imported.append(Path(path).read_bytes().decode(CODE_PAGE))


def _stub_pywin32() -> dict[str, types.ModuleType]:
    """Stand-ins for the pywin32 modules xlwings.udfs imports, where they are missing."""
    stubs: dict[str, types.ModuleType] = {}
    for name in _PYWIN32:
        try:
            importlib.import_module(name)
        except ImportError:
            stubs[name] = types.ModuleType(name)
    if "pywintypes" in stubs:
        stubs["pywintypes"].com_error = type("com_error", (Exception,), {})  # type: ignore[attr-defined]
    if "pythoncom" in stubs:
        stubs["pythoncom"].CoInitialize = lambda: None  # type: ignore[attr-defined]
    if "win32com.client" in stubs:
        stubs["win32com.client"].Dispatch = lambda *a, **k: None  # type: ignore[attr-defined]
        if "win32com" in stubs:
            stubs["win32com"].client = stubs["win32com.client"]  # type: ignore[attr-defined]
    return stubs


_MISSING = object()


@contextlib.contextmanager
def windows_udfs(module_name: str = UDF_MODULE) -> Iterator[tuple[Any, types.ModuleType]]:
    """(xlwings.udfs, the UDF module) as on Windows: xlwings' Windows decorators bound
    before the UDF module is imported, so its functions carry `__xlfunc__` (on Linux and
    the Mac `xw.func` records nothing). Everything is put back afterwards."""
    import xlwings

    package, _, attr = module_name.rpartition(".")
    parent = sys.modules.get(package) if package else None
    names = (*_PYWIN32, "xlwings.udfs", module_name)
    saved_modules = {name: sys.modules.get(name, _MISSING) for name in names}
    saved_attrs = {
        name: getattr(xlwings, name, _MISSING) for name in (*_WINDOWS_DECORATORS, "udfs")
    }
    saved_parent = getattr(parent, attr, _MISSING) if parent is not None else _MISSING
    try:
        sys.modules.update(_stub_pywin32())
        sys.modules.pop("xlwings.udfs", None)
        xl_udfs = importlib.import_module("xlwings.udfs")
        for name, windows_name in _WINDOWS_DECORATORS.items():
            setattr(xlwings, name, getattr(xl_udfs, windows_name))
        sys.modules.pop(module_name, None)
        yield xl_udfs, importlib.import_module(module_name)
    finally:
        for name, module in saved_modules.items():
            if module is _MISSING:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module  # type: ignore[assignment]
        for name, value in saved_attrs.items():
            if value is _MISSING:
                with contextlib.suppress(AttributeError):
                    delattr(xlwings, name)
            else:
                setattr(xlwings, name, value)
        if parent is not None:
            if saved_parent is _MISSING:
                with contextlib.suppress(AttributeError):
                    delattr(parent, attr)
            else:
                setattr(parent, attr, saved_parent)


def udf_import(module_name: str = UDF_MODULE) -> UdfImport:
    """Run xlwings' "Import Functions" (`xlwings.udfs.import_udfs`) for `module_name` and
    keep what it would put into Excel: the xlwings_udfs module and the MacroOptions."""
    recorder = _Recorder()
    with windows_udfs(module_name) as (xl_udfs, _module), contextlib.redirect_stdout(io.StringIO()):
        xl_udfs.import_udfs(module_name, recorder)
    if len(recorder.imported) != 1:
        raise RuntimeError("xlwings' Import Functions schreef geen module")
    options = tuple(_macro_option(args, kwargs) for args, kwargs in recorder.options)
    return UdfImport(crlf(recorder.imported[0]), options)


def _macro_option(args: Sequence[Any], kwargs: dict[str, Any]) -> MacroOption:
    macro = str(args[0] if args else kwargs["Macro"])
    return MacroOption(
        name=macro.rpartition("!")[2],
        description=str(kwargs.get("Description") or ""),
        category=str(kwargs.get("Category") or ""),
        arguments=tuple(str(a) for a in kwargs.get("ArgumentDescriptions") or ()),
    )


def _vba_string(text: str) -> str:
    return '"' + " ".join(text.split()).replace('"', '""') + '"'


def help_module(options: Sequence[MacroOption]) -> str:
    """UdfHelp: DescribeFunctions sets each function's description, category and argument
    descriptions, as "Import Functions" does. Errors are skipped (an Excel without
    ArgumentDescriptions, the Mac); the workbook's saved state is kept, so opening it does
    not ask to save."""
    lines = [
        f'Attribute VB_Name = "{HELP_MODULE}"',
        "' Generated by `debiteuren bouw` from the xlwings decorators in addin/udfs.py: the",
        "' descriptions xlwings' \"Import Functions\" sets. Changes are lost with the next build.",
        "Option Explicit",
        "",
        "Public Sub DescribeFunctions()",
        "    Dim wasSaved As Boolean",
        "    wasSaved = ThisWorkbook.Saved",
        "    On Error Resume Next",
    ]
    for option in options:
        parts = [
            f'Macro:="\'" & ThisWorkbook.Name & "\'!{option.name}"',
            f"Description:={_vba_string(option.description)}",
            f"Category:={_vba_string(option.category)}",
        ]
        if option.arguments:
            args = ", _\n            ".join(_vba_string(a) for a in option.arguments)
            parts.append(f"ArgumentDescriptions:=Array({args})")
        lines.append("    Application.MacroOptions " + ", _\n        ".join(parts))
    lines += [
        "    On Error GoTo 0",
        "    ThisWorkbook.Saved = wasSaved",
        "End Sub",
        "",
    ]
    return crlf("\n".join(lines))


# --- the project -------------------------------------------------------------------------


def modules(module_name: str = UDF_MODULE) -> tuple[Module, ...]:
    """Every module of the project, in the order it is written."""
    udfs = udf_import(module_name)
    return (
        Module("xlwings", xlwings_module(), "standard"),
        Module("Dictionary", dictionary_class(), "class"),
        Module("xlwings_udfs", udfs.wrappers, "standard"),
        Module(HELP_MODULE, help_module(udfs.options), "standard"),
        Module("Ribbon", source_module("Ribbon.bas"), "standard"),
        Module("ThisWorkbook", source_module("ThisWorkbook.cls"), "document"),
    )


def add_project(path: str | os.PathLike[str], project: Sequence[Module]) -> None:
    """Give the .xlsm at `path` a VBA project holding `project` (pyOpenVBA: the project
    Excel makes for a first macro, references to stdole and Office included, so
    `control As IRibbonControl` compiles)."""
    with ExcelFile(path) as wb:
        vba = wb.add_vba_project()
        for module in project:
            if module.kind == "document":
                wb.set_module(module.name, module.source)
            else:
                kind = VBAModuleKind.other if module.kind == "class" else VBAModuleKind.standard
                vba.add_module(module.name, module.source, kind=kind)
        wb.save()


def read_modules(path: str | os.PathLike[str]) -> dict[str, str]:
    """name -> source of every module in the workbook at `path` (for checks)."""
    with ExcelFile(path) as wb:
        return dict(wb.vba_modules())
