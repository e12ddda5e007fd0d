"""workbook/customUI14.xml against the rules of the Office 2010 custom UI schema.

The schema (customui14.xsd, namespace http://schemas.microsoft.com/office/2009/07/customui)
is Microsoft's and is not shipped here; the rules below were read from it (the copy in the
Office RibbonX Editor's repository, CustomUIEditor/Schemas/customui14.xsd, on 2026-11-22) for
the elements the tab uses: which children each element may hold and how many, which
attributes it may carry, and their types. Every id must be unique (xsd:ID).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from addin.excel import package

NS = "http://schemas.microsoft.com/office/2009/07/customui"

# Attribute types (customui14.xsd simple types).
NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


def st_string(v: str) -> bool:  # ST_String, ST_Delegate: 1..1024 characters
    return 1 <= len(v) <= 1024


def st_id(v: str) -> bool:  # ST_ID, ST_UniqueID: an NCName of 1..1024 characters
    return bool(NCNAME.match(v)) and len(v) <= 1024


def boolean(v: str) -> bool:
    return v in ("true", "false", "1", "0")


TYPES = {
    "id": st_id,
    "idMso": st_id,
    "imageMso": st_id,
    "insertAfterMso": st_id,
    "insertBeforeMso": st_id,
    "label": st_string,
    "screentip": st_string,
    "supertip": st_string,
    "onAction": st_string,
    "tag": st_string,
    "description": st_string,
    "keytip": lambda v: 1 <= len(v.strip()) <= 3,
    "size": lambda v: v in ("normal", "large"),
    "visible": boolean,
    "enabled": boolean,
    "showLabel": boolean,
    "showImage": boolean,
    "startFromScratch": boolean,
    "autoScale": boolean,
    "centerVertically": boolean,
}

# AG_IDAttributes, AG_PositionAttributes, AG_Visible, AG_Keytip, AG_Label, AG_Screentip
_ID = {"id", "idQ", "tag", "idMso"}
_POSITION = {"insertAfterMso", "insertBeforeMso", "insertAfterQ", "insertBeforeQ"}
_VISIBLE = {"visible", "getVisible"}
_KEYTIP = {"keytip", "getKeytip"}
_LABEL = {"label", "getLabel"}
_SCREENTIP = {"screentip", "getScreentip", "supertip", "getSupertip"}
_IMAGE = {"image", "imageMso", "getImage"}
_COMMON = _ID | _LABEL | _IMAGE | _POSITION | _SCREENTIP | _VISIBLE | _KEYTIP

# element -> (allowed children with their maximum count, allowed attributes)
RULES: dict[str, tuple[dict[str, int], set[str]]] = {
    # CT_CustomUI: commands?, ribbon?, backstage?, contextMenus?
    "customUI": (
        {"commands": 1, "ribbon": 1, "backstage": 1, "contextMenus": 1},
        {"onLoad", "loadImage"},
    ),
    # CT_Ribbon: xsd:all of qat, tabs, contextualTabs (each at most once)
    "ribbon": ({"qat": 1, "tabs": 1, "contextualTabs": 1}, {"startFromScratch"}),
    # CT_Tabs: tab 1..100
    "tabs": ({"tab": 100}, set()),
    # CT_Tab: group 0..100
    "tab": ({"group": 100}, _ID | _LABEL | _POSITION | _VISIBLE | _KEYTIP),
    # CT_Group: EG_Controls or separator 0..1000, dialogBoxLauncher?
    "group": (
        {"button": 1000, "separator": 1000, "dialogBoxLauncher": 1},
        _COMMON | {"autoScale", "centerVertically"},
    ),
    # CT_Button = CT_Control + AG_Action, AG_Enabled, AG_Description, AG_Image, AG_Size
    "button": (
        {},
        _COMMON
        | {"enabled", "getEnabled", "showLabel", "getShowLabel", "showImage", "getShowImage"}
        | {"onAction", "description", "getDescription", "size", "getSize"},
    ),
}


def _local(tag: str) -> str:
    assert tag.startswith("{" + NS + "}"), f"{tag}: not in the 2009/07 customUI namespace"
    return tag.split("}", 1)[1]


def check(xml: bytes) -> list[str]:
    """Every rule broken, as text; empty when the XML follows the rules above."""
    problems: list[str] = []
    root = ET.fromstring(xml)
    if _local(root.tag) != "customUI":
        return [f"root is {root.tag}, expected customUI"]
    ids: list[str] = []
    for element in root.iter():
        name = _local(element.tag)
        if name not in RULES:
            problems.append(f"{name}: element not covered by these rules")
            continue
        children, attributes = RULES[name]
        for attr, value in element.attrib.items():
            if attr not in attributes:
                problems.append(f"{name}: attribute {attr} not allowed")
            elif attr in TYPES and not TYPES[attr](value):
                problems.append(f"{name}: {attr}={value!r} has the wrong type")
        if "id" in element.attrib:
            ids.append(element.attrib["id"])
        if name in ("tab", "group", "button") and not _ID & set(element.attrib):
            problems.append(f"{name}: needs one of id, idQ or idMso")
        counts: dict[str, int] = {}
        for child in element:
            child_name = _local(child.tag)
            counts[child_name] = counts.get(child_name, 0) + 1
        for child_name, count in counts.items():
            if child_name not in children:
                problems.append(f"{name}: child {child_name} not allowed")
            elif count > children[child_name]:
                problems.append(f"{name}: more than {children[child_name]} {child_name}")
        if name == "tabs" and not counts.get("tab"):
            problems.append("tabs: needs at least one tab")
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        problems.append(f"ids not unique: {sorted(duplicates)}")
    return problems


def test_ribbon_follows_the_custom_ui_schema():
    assert check(package.ribbon_xml()) == []


@pytest.mark.parametrize(
    ("xml", "exp"),
    [
        (b'<customUI xmlns="%s"><ribbon><tabs/></ribbon></customUI>', "needs at least one tab"),
        (
            b'<customUI xmlns="%s"><ribbon><tabs><tab id="a" label="x">'
            b'<group id="a" label="y"/></tab></tabs></ribbon></customUI>',
            "ids not unique",
        ),
        (
            b'<customUI xmlns="%s"><ribbon><tabs><tab id="t"><group id="g">'
            b'<button id="b" size="huge"/></group></tab></tabs></ribbon></customUI>',
            "size='huge' has the wrong type",
        ),
        (
            b'<customUI xmlns="%s"><ribbon><tabs><tab id="t"><group id="g">'
            b'<button id="b" colour="red"/></group></tab></tabs></ribbon></customUI>',
            "attribute colour not allowed",
        ),
    ],
    ids=["no tab", "duplicate id", "bad size", "unknown attribute"],
)
def test_the_check_finds_broken_rules(xml, exp):
    got = check(xml.replace(b"%s", NS.encode()))
    assert any(exp in p for p in got), got


def test_tab_debiteuren_has_its_buttons_with_icons_and_callbacks():
    root = ET.fromstring(package.ribbon_xml())
    (tab,) = root.iter(f"{{{NS}}}tab")
    assert tab.attrib["label"] == "Debiteuren"
    buttons = {b.attrib["label"]: b.attrib for b in tab.iter(f"{{{NS}}}button")}
    assert set(buttons) == {
        "Maak herinneringen",
        "Verstuur e-mails",
        "Vernieuw werklijst",
        "Importeer bankafschrift",
        "Importeer facturen",
        "Map met facturen",
        "Controleer gegevens",
    }
    for label, attrib in buttons.items():
        assert attrib["onAction"] == label.title().replace(" ", "").replace("-", ""), label
        assert attrib.get("imageMso"), label
    # one icon per button, so two buttons that do different things never look alike
    icons = [attrib["imageMso"] for attrib in buttons.values()]
    assert len(set(icons)) == len(icons), icons
