Attribute VB_Name = "Ribbon"
' The buttons of the ribbon tab "Debiteuren" (workbook/customUI14.xml, onAction).
' Each button runs its handler in the Python package through xlwings' RunPython (module
' xlwings): the handler reads this workbook, runs the same engine as the command line,
' writes back and reports in Dutch. Works on Windows and on the Mac.
Option Explicit

Public Sub MaakHerinneringen(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.maak_herinneringen()"
End Sub

Public Sub VernieuwWerklijst(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.vernieuw_werklijst()"
End Sub

' The Python side asks for the bank file itself (a file dialog on both systems).
Public Sub ImporteerBankafschrift(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.importeer_bankafschrift()"
End Sub

' Invoices from the accounting package: chosen files, or every file in a chosen folder.
Public Sub ImporteerFacturen(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.importeer_facturen()"
End Sub

Public Sub MapMetFacturen(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.importeer_facturenmap()"
End Sub

Public Sub ControleerGegevens(control As IRibbonControl)
    RunPython "import addin.ribbon; addin.ribbon.controleer_gegevens()"
End Sub
