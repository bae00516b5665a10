"""Pure analysis functions: Workspace data in, tables and gap layers out."""

from .recognition import recognised_levels

__all__ = ["recognised_levels"]
