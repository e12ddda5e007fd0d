"""Documents and letters: find the user's invoice PDFs (paths), render letters and e-mail
drafts (letters), run a day's letters (letter_job), build the hand-over file (handover)."""
