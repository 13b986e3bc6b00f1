"""A value of a frame cell as the outputs read it: missing (None, NaN, pandas NA) or a float."""

from __future__ import annotations

import math


def is_missing(v) -> bool:
    """None, pandas NA, or anything whose float is NaN; text and other values are not missing."""
    if v is None or type(v).__name__ == "NAType":
        return True
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def number_or_none(v) -> float | None:
    """``v`` as a float, None when it is missing."""
    return None if is_missing(v) else float(v)
