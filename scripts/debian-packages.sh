#!/bin/sh
# The Debian packages Docket and its tests need. As root, install the missing ones; otherwise
# print the one apt-get line to run and stop.
set -eu

# gettext: the tests check the be/ru catalogues against the source with makemessages.
# dovecot-imapd: the e-mail intake tests poll a real IMAP server on loopback.
# ffmpeg, espeak-ng: the tests make real photos, videos and speech to send.
# tesseract-ocr (+ bel, rus, eng), libimage-exiftool-perl, poppler-utils, mat2, libmagic1, file:
# the enrichers' programs (docs/enrichment.md); fonts-dejavu-core draws the OCR test pages.
# bubblewrap, libseccomp2: every parser runs in its own namespaces under a seccomp filter.
# libpango-1.0-0, libpangoft2-1.0-0: WeasyPrint lays out a case bundle's PDF report with them,
# in fonts-dejavu-core (Latin and Cyrillic). libicu-dev, pkg-config, g++: pyicu (for the
# FollowTheMoney sanctions lists) builds against ICU.
PACKAGES="age openssl ca-certificates chromium gettext dovecot-imapd ffmpeg espeak-ng
    bubblewrap libseccomp2
    tesseract-ocr tesseract-ocr-bel tesseract-ocr-rus tesseract-ocr-eng libimage-exiftool-perl
    poppler-utils mat2 libmagic1 file fonts-dejavu-core
    libpango-1.0-0 libpangoft2-1.0-0 libicu-dev pkg-config g++"
# Debian's python3 lacks venv/ensurepip until python3-venv is installed.
python3 -c 'import ensurepip, venv' 2>/dev/null || PACKAGES="$PACKAGES python3-venv"

missing=""
for package in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "Docket needs Debian packages that are not installed. Run:" >&2
    echo "    sudo apt-get install -y$missing" >&2
    exit 1
fi
