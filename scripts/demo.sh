#!/bin/sh
# `make demo`: an instance in ./data (SQLite, local vault), sample files imported, then the web
# server and a worker on http://127.0.0.1:8000 (DOCKET_DEMO_PORT: another port) until Ctrl-C.
set -eu

port="${DOCKET_DEMO_PORT:-8000}"

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

# Its database key, the same way: the embedded database is encrypted at rest (SQLCipher).
if [ -z "${DOCKET_DATABASE_URL:-}" ] && [ -z "${DOCKET_DATABASE_KEY:-}" ] && [ -z "${DOCKET_DATABASE_KEY_FILE:-}" ]; then
    key_file="$DOCKET_DATA_DIR/demo-database-key"
    if [ ! -f "$key_file" ]; then
        (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))' >"$key_file")
    fi
    export DOCKET_DATABASE_KEY_FILE="$key_file"
fi

docket=.venv/bin/docket
# A demo made before the key existed is encrypted once.
if [ -f "$DOCKET_DATA_DIR/docket.sqlite3" ]; then
    $docket db encrypt --if-plain
fi
$docket init --admin admin
# People to try compartments with: the administrator, an analyst and a lawyer work in
# "default"; the outsider is an analyst of "hrodna" and must see nothing of "default".
$docket compartments add hrodna --description "Hrodna region (demo)"
$docket users add admin --role admin --compartment default
$docket users add analyst --role analyst --compartment default
$docket users add outsider --role analyst --compartment hrodna
$docket users add lawyer --role legal --compartment default
# The intake: new reports wait in compartment "intake"; clerk triages them, admin too.
$docket compartments add intake --description "Reports from the public intake, until triaged"
$docket users add clerk --role intake --compartment intake
$docket users add admin --role admin --compartment intake
.venv/bin/python scripts/make_samples.py "$DOCKET_DATA_DIR/samples"
# A living register to look at: fictional events, victims and officers in real places, and
# five anchor events at an exact time and spot of Minsk (import references demo-anchor-1…5).
# It comes before the files: the sample photos and videos were taken at the anchors, and the
# worker that reads their time and place (started last, with the server) finds them there.
$docket register generate --compartment default --events 300 --persons 1000 --if-empty
$docket import files "$DOCKET_DATA_DIR/samples/default" --compartment default
$docket import files "$DOCKET_DATA_DIR/samples/hrodna" --compartment hrodna
# A Telegram channel's export: its voice message and scanned order are transcribed and read
# by the worker; then `docket search midnight` and `docket search Независимости` find them.
$docket import telegram "$DOCKET_DATA_DIR/samples/telegram/ChatExport_2020-08-12" \
    --compartment default
# A second channel re-posted one of the sample videos that night, smaller and captioned.
$docket import telegram "$DOCKET_DATA_DIR/samples/telegram/ChatExport_2020-08-11" \
    --compartment default
# A few reports in the inbox, as senders would send them (only on the first run).
if [ ! -f "$DOCKET_DATA_DIR/demo-intake-done" ]; then
    $docket intake submit --language be --file "$DOCKET_DATA_DIR/samples/intake/yard.png" \
        "Нас затрымалі ля Стэлы 10 жніўня і прывезлі на Акрэсціна. У двары білі дубінкамі." >/dev/null
    $docket intake submit --language ru \
        "Сотрудники ОМОН без знаков различия задержали моего брата у метро Пушкинская 11 августа. Где он сейчас, мы не знаем." >/dev/null
    $docket intake submit --language en --file "$DOCKET_DATA_DIR/samples/intake/order.pdf" \
        "I worked in the district department in 2020. I have the order for the night of 9 August; it is attached." >/dev/null
    # An e-mail, read the way the IMAP poller reads one (its address sealed; reveal it as
    # clerk, approve as admin).
    $docket intake mail --file "$DOCKET_DATA_DIR/samples/intake/witness.eml" >/dev/null
    # A forwarded copy of a sample photo (trimmed, smaller, its EXIF gone), filed straight into
    # "default" by staff: a near-duplicate lead of the original.
    $docket intake submit --language ru --compartment default \
        --file "$DOCKET_DATA_DIR/samples/intake/stela-forwarded.jpg" \
        "Фото прислала знакомая: у Стелы вечером 9 августа. Кто снимал, она не знает." >/dev/null
    touch "$DOCKET_DATA_DIR/demo-intake-done"
fi
# A fictional case over the generated register (once): three evidence files in the vault, its
# suspects, the elements matrix filled, verification steps; the lawyer can ask for its bundle.
if [ ! -s "$DOCKET_DATA_DIR/demo-case.json" ]; then
    $docket cases generate --compartment default --json >"$DOCKET_DATA_DIR/demo-case.json.part"
    mv "$DOCKET_DATA_DIR/demo-case.json.part" "$DOCKET_DATA_DIR/demo-case.json"
fi
demo_case=$(tr -cd '0-9' <"$DOCKET_DATA_DIR/demo-case.json")
# The generated persons and units are filed for mentions, and the texts read for them, once.
if [ ! -f "$DOCKET_DATA_DIR/demo-mentions-done" ]; then
    $docket register mentions --compartment default >/dev/null
    touch "$DOCKET_DATA_DIR/demo-mentions-done"
fi

echo
echo "The Telegram import above skipped '../../etc/hostname' on purpose: the sample export"
echo "has a message whose file points outside the export, as a hostile one would; Docket"
echo "refuses it and imports the rest."
echo
echo "Docket is running on http://127.0.0.1:$port/ (Ctrl-C stops it). Log in with the one-time"
echo "passwords printed above (shown once, on the first run) as"
echo "  admin     administrator of the instance and of compartment 'default', which holds"
echo "            300 fictional events and 5 anchor events (Events, Search) and the sample"
echo "            files (Items)"
echo "  analyst   analyst in 'default': its items and custody, not the audit trail"
echo "  outsider  analyst in 'hrodna': that compartment's one item, nothing of 'default'"
echo "  lawyer    legal in 'default': asks for an export of it, which admin must approve"
echo "            (two-person rule; age-keygen makes the recipient key)"
echo "  clerk     intake in 'intake': the Inbox of four sample reports; reply, accept one"
echo "            into 'default' (as admin) and draft an event from it"
echo "A fictional case file, number $demo_case (http://127.0.0.1:$port/cases/$demo_case/): its"
echo "suspects, the elements matrix and what is missing, the evidence and its verification;"
echo "lawyer asks for its court bundle on the Exports page, and admin approves."
echo "Imports shows the worker enriching the samples: the Telegram export's voice message and"
echo "scanned order become searchable (Search: 'midnight')."
echo "Leads (http://127.0.0.1:$port/leads/), once the worker has read the samples: the"
echo "photos and videos taken at the anchor events (Events; search 'Stela' or 'Pushkinskaya'"
echo "for their pages), and a re-posted video and a forwarded photo as near-duplicates."
echo "The first login of each sets up a second step: a security key or passkey (open"
echo "http://localhost:$port for that) or an authenticator app (Aegis, FreeOTP...) by QR code;"
echo "then it shows recovery codes and asks for a new password. docs/guide/ walks through"
echo "each role's work."
echo "Senders report at http://127.0.0.1:$port/intake/ (no login, works without JavaScript)."
echo "Lost the passwords? Delete ./data and run make demo again."
exec $docket serve --with-worker --port "$port"
