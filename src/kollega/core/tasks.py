"""Every periodic job of Kollega, in one place.

Each job says when it runs and why. Exactly one worker process schedules
these (see ``kollega worker``); any worker may run them. Jobs are thin: they call a service and take no objects.
"""

from __future__ import annotations

import time

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kollega.notifications.sender import notifications_forget_secrets, notifications_send_due

#: The mail batch stops starting new rounds after this many seconds, so that
#: one run ends before the next minute's run begins.
MAIL_BATCH_SECONDS = 50
MAIL_BATCH_SIZE = 200


# Every minute: send the messages that have come due (reminders, materials,
# anything queued for later) and retry failed ones whose wait is over. Urgent
# messages such as sign-in codes do not wait for this; they have their own job
# queued when they are stored. Safe to run on many workers at once: rows are
# claimed before sending.
@db_periodic_task(crontab(minute="*"))
def notifications_send_due_job() -> None:
    started = time.monotonic()
    while time.monotonic() - started < MAIL_BATCH_SECONDS:
        result = notifications_send_due(limit=MAIL_BATCH_SIZE)
        if result.claimed < MAIL_BATCH_SIZE:
            break


# Every hour: sign-in codes, reset links and invitation links stay in the outbox
# rows only as long as they could be used; after that their data is blanked so
# that a copy of the database holds no working links.
@db_periodic_task(crontab(minute="17"))
def notifications_forget_secrets_job() -> None:
    notifications_forget_secrets()


# Every minute: close waiting-list offers whose deadline has passed (the person
# is cancelled and told by email) and offer every free place to the next on the
# waiting list. Offers last days, so a minute's delay is nothing; the fill also
# catches places freed by staff status changes that do not go through
# registration_cancel. Safe on many workers: each programme's row is locked.
@db_periodic_task(crontab(minute="*"))
def waiting_list_job() -> None:
    from kollega.recruitment.services import waiting_list_expire_offers, waiting_lists_fill

    waiting_list_expire_offers()
    waiting_lists_fill()


# Every night at 01:23 UTC (03:23 or 04:23 in Finland, when hardly anyone is
# signed in): delete expired sessions. Django never deletes them itself, and
# with the database backend each one is a row; the registration form keeps
# its answers in a session, so anonymous visitors make them too.
@db_periodic_task(crontab(hour="1", minute="23"))
def sessions_clear_expired_job() -> None:
    from kollega.core.housekeeping import sessions_clear_expired

    sessions_clear_expired()


# Every night at 01:41 UTC: delete uploaded import files whose import was not
# finished within a week (they hold personal data; a finished import deletes
# its file at once). The import's page then says the file was deleted and
# offers to upload it again. Safe on many workers: each job's row is locked.
@db_periodic_task(crontab(hour="1", minute="41"))
def import_files_forget_job() -> None:
    from kollega.recruitment.importing.retention import import_files_forget

    import_files_forget()


# Every 15 minutes: remind each applicant whose intake interview starts within
# the next 24 hours ("the day before"). ``reminded_at`` on the booking makes each
# reminder go once, even with several workers or a missed run; moving a booking
# clears it so the new time gets its own reminder. A quarter of an hour is
# precise enough for a reminder a day ahead.
@db_periodic_task(crontab(minute="*/15"))
def interview_reminders_job() -> None:
    from kollega.interviews.services import reminders_send

    reminders_send()


# Every hour at :37: close questionnaire rounds whose closing time has passed
# (their links already refuse answers; this records the closing) and remind
# those who have not answered an open round, at most twice and each time at
# least three days after the invitation or the previous reminder. An hour is
# precise enough for reminders counted in days. Safe on many workers: each
# round's row is locked and a closed round is left alone.
@db_periodic_task(crontab(minute="37"))
def questionnaire_rounds_job() -> None:
    from kollega.evaluation.services import rounds_run_due

    rounds_run_due()


# Every five minutes: when a group's last meeting begins, open the final
# well-being round for its members (those already asked, for example by a
# round the coordinator opened by hand, are not asked again), so the members
# can answer during the meeting. Meeting reminders, materials and the
# facilitators' "mark it held" nudges need no job of their own: they are
# outbox rows with a due time, sent by the mail job above. Safe on many
# workers: each group's row is locked while its round is opened.
@db_periodic_task(crontab(minute="*/5"))
def final_rounds_job() -> None:
    from kollega.meetings.services import final_rounds_open_due

    final_rounds_open_due()
