"""The coordinator's readiness view: are there enough people for groups yet, per time slot."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from kollega.core.http import AuthedHttpRequest
from kollega.interviews.readiness import readiness_for_coordinator


@login_required
def readiness(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    result = readiness_for_coordinator(user=request.user, pk=pk)
    return render(
        request,
        "interviews/readiness.html",
        {"programme": result.programme, "readiness": result},
    )
