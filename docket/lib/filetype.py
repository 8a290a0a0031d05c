"""What a file is, by libmagic; run only inside the sandbox (`Box.python`).

    python -I -m docket.lib.filetype FILE

prints {"mime": …, "description": …}. libmagic parses the file's bytes, and has had bugs like
any parser, so it never runs in the worker's own process. No Django import.
"""

from __future__ import annotations

import json
import sys

import magic


def main(argv: list[str]) -> int:
    (path,) = argv
    found = {
        "mime": magic.from_file(path, mime=True),
        "description": magic.from_file(path),
    }
    print(json.dumps(found, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
