"""Organisations, programmes, people and roles, participant status and consents."""
