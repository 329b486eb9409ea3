"""The JSON API under /api/v1/: routers per resource, token authentication, one error shape."""

from kollega.api import (
    consents,
    errors,
    forms_api,
    grouping,
    interviews,
    meetings,
    outreach,
    participants,
    programmes,
    public,
    registrations,
    rounds,
    themes,
)
from kollega.api.auth import TokenAuth
from kollega.api.docs import LocalSwagger

DESCRIPTION = """Kollega's API for integrations and scripts.

Every call needs a personal API token of a staff member, made on the page
*API tokens* (/account/api-tokens/) or with `kollega api-token EMAIL`, sent as
`Authorization: Bearer <token>`. A token acts as its holder: it reaches the
programmes of the organisations its holder coordinates. Errors are
`{"detail", "code", "errors"}` in the language of `Accept-Language` (fi, sv, en).
"""

api = errors.KollegaAPI(
    title="Kollega API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    docs=LocalSwagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", programmes.router)
api.add_router("", themes.router)
api.add_router("", participants.router)
api.add_router("", consents.router)
api.add_router("", forms_api.router)
api.add_router("", registrations.router)
api.add_router("", outreach.router)
api.add_router("", public.router)
api.add_router("", interviews.router)
api.add_router("", rounds.router)
api.add_router("", grouping.router)
api.add_router("", meetings.router)
