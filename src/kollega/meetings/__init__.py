"""Steps 4-5: meeting schedules, invitations, reminders and materials."""
