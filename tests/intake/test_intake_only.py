"""`docket serve --intake-only` is known before the settings load, which then choose the
intake's URLs and refuse the vault passphrase once (tests/test_startup.py checks that such a
process loads no heavy library)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from docket import cli


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--intake-only"], True),
        (["serve", "--port", "8080", "--intake"], True),  # argparse takes a shortened option
        (["serve", "--with-worker"], False),
        (["intake", "telegram"], False),
    ],
)
def test_the_docket_command_tells_the_settings_of_intake_only(
    args: list[str], expected: bool
) -> None:
    assert cli._serves_intake_only(args) is expected


def test_serve_refuses_intake_only_that_the_settings_do_not_know() -> None:
    # Only a caller that goes around the `docket` command (call_command) gets here.
    with pytest.raises(CommandError, match="before the settings load"):
        call_command("serve", "--intake-only")
