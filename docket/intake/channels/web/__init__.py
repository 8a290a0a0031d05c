"""The web intake: the cookie-free sender pages and the tus endpoint for resumable uploads."""
