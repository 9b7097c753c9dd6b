"""The clock: APScheduler jobs and the outbox sender.

Entry point for the composition root: :func:`scheduler.runner.start_scheduler`.
"""

from scheduler.runner import SchedulerHandle, start_scheduler
from scheduler.sender import OutboxSender

__all__ = ["OutboxSender", "SchedulerHandle", "start_scheduler"]
