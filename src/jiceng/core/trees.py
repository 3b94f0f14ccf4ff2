"""Building materialised paths in bulk.

treebeard's add_child costs several queries per node; the demo county (≈5,000 nodes) and the
province generator (100,000+) build paths here instead and bulk-insert. The paths are exactly
treebeard's (steplen 4, base 36), so ``check_trees`` and treebeard's own ``find_problems``
verify them afterwards.
"""

from __future__ import annotations

from treebeard.mp_tree import MP_Node

_ALPHABET = MP_Node.alphabet
_STEPLEN = MP_Node.steplen


def segment(index: int) -> str:
    """1-based child index → 4-character base-36 segment ('0001')."""
    out = ""
    n = index
    while n:
        n, r = divmod(n, len(_ALPHABET))
        out = _ALPHABET[r] + out
    return out.rjust(_STEPLEN, "0")


class PathBuilder:
    """Hands out child paths; records numchild so the parents can be saved with it."""

    def __init__(self) -> None:
        self.numchild: dict[str, int] = {}

    def root(self) -> str:
        self.numchild[""] = self.numchild.get("", 0) + 1
        path = segment(self.numchild[""])
        self.numchild.setdefault(path, 0)
        return path

    def child(self, parent_path: str) -> str:
        self.numchild[parent_path] = self.numchild.get(parent_path, 0) + 1
        path = parent_path + segment(self.numchild[parent_path])
        self.numchild.setdefault(path, 0)
        return path


def depth(path: str) -> int:
    return len(path) // _STEPLEN
