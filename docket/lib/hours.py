"""Times that say only the hour, for what senders do.

Policy (docs/intake.md): when a sender sent something is kept to the UTC hour and no finer, in
the intake's rows, in the custody entries the intake writes and in the modification times of
the blob files it stores. A seized database or disk then cannot be lined up against a
network's or a provider's records to the second. Order within the hour is kept by what is
already monotone (primary keys, the custody log's index), never by a finer time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.utils import timezone


def floor(at: datetime) -> datetime:
    """`at` cut down to the start of its UTC hour."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def now() -> datetime:
    """The start of the current UTC hour."""
    return floor(timezone.now())


class HourField(models.DateTimeField):
    """A DateTimeField whose saved value is always floored to the UTC hour (auto_now and
    auto_now_add included). `QuerySet.update()` bypasses it: pass `hours.now()` there."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if isinstance(value, datetime):
            value = floor(value)
            setattr(model_instance, self.attname, value)
        return value
