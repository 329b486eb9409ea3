"""A published programme to register for (the registration tests' own), and import files to upload."""

from __future__ import annotations

from tests.outreach_public.conftest import organisation, programme  # noqa: F401
