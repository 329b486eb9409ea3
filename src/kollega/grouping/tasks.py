"""The optimiser's background job."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


# Queued when a coordinator asks for a proposal; runs for at most the proposal's time limit
# plus the time to read the programme and store the answer. The page polls the proposal's state.
@db_task()
def proposal_run_job(proposal_id: int) -> None:
    from kollega.grouping.proposals import proposal_run

    proposal_run(proposal_id=proposal_id)
