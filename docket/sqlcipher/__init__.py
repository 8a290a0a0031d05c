"""The embedded database encrypted at rest: SQLite with SQLCipher 4 (docs/keys.md).

Policy: with `DOCKET_DATABASE_KEY` (or `_FILE`) set, the SQLite file, its write-ahead log and
its journal hold nothing in clear — not the register, not the search index, not the sealed
metadata's neighbours. The key is given at start and never written beside the data in a real
deployment. It is stretched once per process (scrypt, with a random salt kept in a file beside
the database: `docket.sqlite3.salt`, not secret) and handed to SQLCipher as a raw key, so that
opening a connection costs no key derivation. A wrong key, or a plain database opened with a
key, stops with a clear error; `docket db encrypt` converts a plain database and `docket db
rekey` changes the key. PostgreSQL deployments put the database on an encrypted volume.
"""
