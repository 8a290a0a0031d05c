"""The e-mail intake: an IMAP poller."""
