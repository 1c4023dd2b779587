"""The sandbox: the two ConnectSafely endpoints, simulated for trial runs (`--sandbox`).

`api` answers as the API does; `store` keeps its quota and the delivered log in SQLite.
"""

from .api import DEFAULT_LIMITS, Answer, Sandbox, profile_urn, transport
from .store import ReceivedRequest

__all__ = ["DEFAULT_LIMITS", "Answer", "ReceivedRequest", "Sandbox", "profile_urn", "transport"]
