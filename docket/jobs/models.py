from __future__ import annotations

from django.db import models
from django.utils import timezone


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    run_after = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: About what a sender did: its times say only the hour (docket/jobs/queue.py).
    hourly = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["state", "run_after"])]

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind} ({self.state})"
