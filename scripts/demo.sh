#!/bin/sh
# `make demo`: an instance in ./data (SQLite, local vault), sample files imported, then the web
# server and a worker on http://127.0.0.1:8000 until Ctrl-C.
set -eu

export DOCKET_DATA_DIR="${DOCKET_DATA_DIR:-$(pwd)/data}"
mkdir -p "$DOCKET_DATA_DIR"
chmod 700 "$DOCKET_DATA_DIR"
# A demo keeps its passphrase beside the data so it runs unattended. A real deployment keeps
# it away from the server's disk (docs/keys.md).
if [ -z "${DOCKET_VAULT_PASSPHRASE:-}" ] && [ -z "${DOCKET_VAULT_PASSPHRASE_FILE:-}" ]; then
    passphrase_file="$DOCKET_DATA_DIR/demo-passphrase"
    if [ ! -f "$passphrase_file" ]; then
        (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))' >"$passphrase_file")
    fi
    export DOCKET_VAULT_PASSPHRASE_FILE="$passphrase_file"
fi

.venv/bin/docket init --admin admin
.venv/bin/python scripts/make_samples.py "$DOCKET_DATA_DIR/samples"
.venv/bin/docket import files "$DOCKET_DATA_DIR/samples"
echo
echo "Docket is running on http://127.0.0.1:8000/ — log in as 'admin' (Ctrl-C stops it)."
exec .venv/bin/docket serve --with-worker
