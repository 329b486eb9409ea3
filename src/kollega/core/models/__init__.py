from kollega.core.models.audit import AuditEntry
from kollega.core.models.consents import Consent, ConsentItem, ConsentText
from kollega.core.models.organisations import (
    ClosedPeriod,
    LinkScope,
    Organisation,
    Role,
    StaffMembership,
    VideoLinks,
)
from kollega.core.models.participants import CompanySize, Gender, Participant, ParticipantStatusChange, Status
from kollega.core.models.programmes import MoveRule, PositionRule, Programme, Theme, TimeSlot

__all__ = [
    "AuditEntry",
    "ClosedPeriod",
    "CompanySize",
    "Consent",
    "ConsentItem",
    "ConsentText",
    "Gender",
    "LinkScope",
    "MoveRule",
    "Organisation",
    "Participant",
    "ParticipantStatusChange",
    "PositionRule",
    "Programme",
    "Role",
    "StaffMembership",
    "Status",
    "Theme",
    "TimeSlot",
    "VideoLinks",
]
