"""Clearing away what is no longer needed, run by the nightly jobs in :mod:`kollega.core.tasks`."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings


def sessions_clear_expired() -> None:
    """Delete the sessions whose time is over, with the configured session engine.

    Django never deletes a session by itself: with the database backend every
    visitor who once got a session (signed in, or sent a step of a registration
    form) leaves a row behind until this runs.
    """
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
