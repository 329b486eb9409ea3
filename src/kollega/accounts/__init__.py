"""People, sign-in, staff invitations and API tokens."""
