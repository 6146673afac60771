"""Small reference (dimension) tables: ANZSCO occupations and postcode -> state.

Both are tiny (tens of rows; ten thousand postcodes) next to any fact table,
so the Spark fraud job broadcasts them (``taxlake.spark.fraud``) and the
pyarrow path reads them as dicts. The occupation codes are the ones the
generator uses (``taxlake.generate.OCCUPATIONS``); a code not listed here
still has its ANZSCO major group (the first digit), which is what peer
grouping falls back to. Postcode ranges follow Australia Post's allocation
by state and cover every postcode the validator accepts.
"""

from __future__ import annotations

import pyarrow as pa

# ANZSCO major groups (first digit of the 6-digit code)
MAJOR_GROUPS: dict[str, str] = {
    "1": "Managers",
    "2": "Professionals",
    "3": "Technicians and Trades Workers",
    "4": "Community and Personal Service Workers",
    "5": "Clerical and Administrative Workers",
    "6": "Sales Workers",
    "7": "Machinery Operators and Drivers",
    "8": "Labourers",
}

# ANZSCO 6-digit occupations the generator draws from
OCCUPATIONS: dict[str, str] = {
    "133111": "Construction Project Manager",
    "149311": "Conference and Event Organiser",
    "221111": "Accountant (General)",
    "234111": "Agricultural Consultant",
    "241213": "Primary School Teacher",
    "254499": "Registered Nurses nec",
    "261313": "Software Engineer",
    "272511": "Social Worker",
    "312111": "Architectural Draftsperson",
    "321211": "Motor Mechanic (General)",
    "331212": "Carpenter",
    "351311": "Chef",
    "411411": "Enrolled Nurse",
    "521111": "Personal Assistant",
    "542111": "Receptionist (General)",
    "621111": "Sales Assistant (General)",
    "711311": "Paper Products Machine Operator",
    "733111": "Truck Driver (General)",
    "821111": "Builder's Labourer",
    "842221": "Vineyard Worker",
}

# (first, last, state), inclusive; more specific ranges first (ACT inside NSW's 2xxx)
POSTCODE_RANGES: tuple[tuple[int, int, str], ...] = (
    (200, 299, "ACT"),
    (2600, 2618, "ACT"),
    (2900, 2920, "ACT"),
    (800, 999, "NT"),
    (1000, 2999, "NSW"),
    (3000, 3999, "VIC"),
    (8000, 8999, "VIC"),
    (4000, 4999, "QLD"),
    (9000, 9999, "QLD"),
    (5000, 5999, "SA"),
    (6000, 6999, "WA"),
    (7000, 7999, "TAS"),
)


def postcode_state(postcode: str | None) -> str | None:
    if postcode is None or len(postcode) != 4 or not postcode.isdigit():
        return None
    n = int(postcode)
    return next((state for first, last, state in POSTCODE_RANGES if first <= n <= last), None)


def occupation_table() -> pa.Table:
    """occupation_code, occupation_title, major_group, major_group_title: one row per listed code."""
    codes = sorted(OCCUPATIONS)
    return pa.table(
        {
            "occupation_code": pa.array(codes, pa.string()),
            "occupation_title": pa.array([OCCUPATIONS[c] for c in codes], pa.string()),
            "major_group": pa.array([c[0] for c in codes], pa.string()),
            "major_group_title": pa.array([MAJOR_GROUPS[c[0]] for c in codes], pa.string()),
        }
    )


def postcode_table() -> pa.Table:
    """postcode, state: every postcode the validator accepts (0200-0299, 0800-9999)."""
    codes = [f"{n:04d}" for n in [*range(200, 300), *range(800, 10_000)]]
    return pa.table({"postcode": pa.array(codes, pa.string()), "state": pa.array([postcode_state(c) for c in codes])})
