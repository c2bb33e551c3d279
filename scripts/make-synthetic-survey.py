#!/usr/bin/env python3
"""Writes submissions/data/synthetic-survey-2026.csv: a SYNTHETIC survey export (fixed seed, standard library only).

No row is a real person's answer. The shares are shaped after what the union has said in public about its study
(more than 1,100 health workers and students, about 10 % reporting sexual harassment, 56 % not fully understanding
what counts as harassment); everything else (institutions, regions, roles, the other answers) is invented. The
`comment` column holds invented free text that the findings never read: tests check it is never printed.

Run from the repository: python3 scripts/make-synthetic-survey.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20261207
RESPONDENTS = 1150
TARGET = Path(__file__).resolve().parent.parent / "submissions" / "data" / "synthetic-survey-2026.csv"
YES, NO, UNSURE = "Да", "Нет", "Затрудняюсь ответить"

# region, weight of its staff among respondents
REGIONS = [
    ("bishkek", 30),
    ("osh-city", 12),
    ("chuy", 14),
    ("osh", 11),
    ("jalal-abad", 12),
    ("issyk-kul", 8),
    ("naryn", 5),
    ("talas", 4),
    ("batken", 4),
]
INSTITUTION_TYPES = ["hospital", "family-medicine-centre", "university", "college"]
# role, weight, chance of having experienced harassment
ROLES = [("nurse", 38, 0.08), ("doctor", 24, 0.07), ("student", 22, 0.14), ("resident-intern", 9, 0.18)]
ROLES += [("other-staff", 7, 0.06)]
COMMENTS = [
    "Синтетический свободный ответ FREE-TEXT-{:04d}: этот текст не должен попасть ни в один документ.",
    "Synthetic free answer FREE-TEXT-{:04d}: this text must never reach any document.",
]


def institutions(rng: random.Random) -> list[tuple[str, str, str]]:
    """38 invented institutions: code, type, region (universities and colleges in the larger regions)."""
    made = []
    for number in range(1, 39):
        kind = INSTITUTION_TYPES[0] if number <= 20 else INSTITUTION_TYPES[1] if number <= 32 else None
        if kind is None:
            kind = "university" if number <= 35 else "college"
            region = rng.choice(["bishkek", "osh-city", "jalal-abad"])
        else:
            region = rng.choices([name for name, _ in REGIONS], [weight for _, weight in REGIONS])[0]
        made.append((f"I{number:02d}", kind, region))
    return made


def answer(rng: random.Random, share: float, blank: float = 0.0, unsure: float = 0.0) -> str:
    draw = rng.random()
    if draw < blank:
        return ""
    if draw < blank + unsure:
        return UNSURE
    return YES if rng.random() < share else NO


def rows(rng: random.Random) -> list[dict[str, str]]:
    places = institutions(rng)
    staff_places = [place for place in places if place[1] in ("hospital", "family-medicine-centre")]
    study_places = [place for place in places if place[1] in ("university", "college")]
    made = []
    for number in range(1, RESPONDENTS + 1):
        role, _, risk = rng.choices(ROLES, [weight for _, weight, _ in ROLES])[0]
        code, kind, region = rng.choice(study_places if role == "student" else staff_places)
        experienced = answer(rng, risk)
        asked = experienced == YES
        made.append(
            {
                "institution": code,
                "institution_type": kind,
                "region": region if rng.random() > 0.01 else "",
                "role": role,
                "q1_experienced": experienced,
                "q2_told_anyone": (NO if rng.random() < 0.70 else YES) if asked else "",
                "q3_know_where_to_report": answer(rng, 0.46, blank=0.02, unsure=0.02),
                "q4_perpetrator_had_authority": answer(rng, 0.44, blank=0.03) if asked else "",
                "q5_understand_definition": NO if rng.random() < 0.56 else YES,
                "comment": rng.choice(COMMENTS).format(number) if rng.random() < 0.08 else "",
            }
        )
    return made


def main() -> None:
    rng = random.Random(SEED)
    made = rows(rng)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(made[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(made)
    print(f"wrote {len(made)} synthetic rows to {TARGET.name}")


if __name__ == "__main__":
    main()
