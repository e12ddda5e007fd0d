"""Invoice import: read UBL 2.1 e-invoices (ubl) and open-items lists (open_items), import
them into Facturen and Klanten (job)."""
