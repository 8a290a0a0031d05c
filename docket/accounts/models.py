from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A staff member. Sources are never users: they hold receipts, not accounts."""

    must_change_password = models.BooleanField(
        default=False, help_text="set for a one-time password; cleared when the user picks one"
    )
