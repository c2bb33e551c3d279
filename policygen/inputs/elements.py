"""The policy elements a policy must or should cover (ILO C190/R206 and good practice), from the packaged list."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from policygen.inputs.strict_yaml import load_packaged_data


@dataclass(frozen=True)
class PolicyElement:
    """One element of the list: its id, level (core, recommended, kg), description and references."""

    id: str
    level: str
    description: str
    refs: tuple[str, ...]


@cache
def policy_elements() -> tuple[PolicyElement, ...]:
    """Every element of policy-elements.yaml, in its order."""
    entries = load_packaged_data("policy-elements.yaml").data["elements"]
    return tuple(PolicyElement(e["id"], e["level"], e["description"], tuple(e["refs"])) for e in entries)


def element_ids() -> frozenset[str]:
    """The ids a clause may claim to cover."""
    return frozenset(element.id for element in policy_elements())


def required_elements(is_education: bool) -> frozenset[str]:
    """Elements every policy set must cover: core and Kyrgyz ones, and for education the power relations."""
    required = {element.id for element in policy_elements() if element.level in ("core", "kg")}
    if is_education:
        required.add("education_power_relations")
    return frozenset(required)
