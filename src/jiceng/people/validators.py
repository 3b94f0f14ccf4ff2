"""The identifier checks people's records use: core's, one definition for every app."""

from jiceng.core.identifiers import IdInfo, normalise_phone, parse_id_number

__all__ = ["IdInfo", "normalise_phone", "parse_id_number"]
