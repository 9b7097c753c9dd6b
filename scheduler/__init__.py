"""The clock: APScheduler jobs, the outbox sender and the webhook worker (both, and the
inbox worker in ``bot``, run the one worker loop of :mod:`scheduler.worker`).

Entry point for the composition root: :func:`scheduler.runner.start_scheduler`.
"""

from scheduler.runner import SchedulerHandle, start_scheduler
from scheduler.sender import OutboxSender

__all__ = ["OutboxSender", "SchedulerHandle", "start_scheduler"]
