"""Sending the letters' e-mails: SMTP, classic Outlook (COM), the send journal, the password."""
