"""Bank statements: read CAMT.053, MT940 and bank CSV (files), import them into Betalingen
(job)."""
