"""Settings for the sender processes of the killed-worker test: Kollega's own, with a short claim timeout.

A row left in "sending" by a killed worker is taken over after the claim timeout;
ten minutes in production, three seconds here so the test does not wait.
"""

from kollega.settings import *  # noqa: F403

KOLLEGA_MAIL_CLAIM_TIMEOUT_SECONDS = 3
