"""Tasks for the worker tests only: one that takes its time (to be killed mid-run), one that answers."""

import time

from django.tasks import task


@task
def take_time(seconds: float) -> None:
    time.sleep(seconds)


@task
def answer(value: int) -> int:
    return value
