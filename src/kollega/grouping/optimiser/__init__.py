"""Forming groups: the hard rules, the goals, the CP-SAT models and the explanation (no Django here)."""

from kollega.grouping.optimiser.problem import (
    GOALS,
    Conflict,
    GroupSpec,
    IndustryMode,
    Person,
    Problem,
    Proposal,
    Rule,
    Status,
    Weights,
)
from kollega.grouping.optimiser.solve import propose

__all__ = [
    "GOALS",
    "Conflict",
    "GroupSpec",
    "IndustryMode",
    "Person",
    "Problem",
    "Proposal",
    "Rule",
    "Status",
    "Weights",
    "propose",
]
