"""The sandbox: the ConnectSafely endpoints, simulated for trial runs (`--sandbox`).

`api` answers as the API does; `relations` says who each person is to each account; `store`
keeps its quota and the delivered log in SQLite.
"""

from .api import DEFAULT_LIMITS, Answer, Sandbox, transport
from .relations import profile_urn
from .store import ReceivedRequest

__all__ = ["DEFAULT_LIMITS", "Answer", "ReceivedRequest", "Sandbox", "profile_urn", "transport"]
