"""Pool policy hooks: the decisions a pool makes that the protocol does not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from sv2._sv2 import NewTemplate, SetCustomMiningJob


class PoolPolicy:
    """Base class of pool policies given to `PoolEngine(policy)`.

    Override any of the methods. The engine calls only the methods a subclass overrides;
    the others keep the engine's defaults and cost nothing. Any other object with some of
    these methods (or callables as attributes) works as a policy too. Hooks run synchronously inside
    the engine call that needs the answer and must not call back into the engine. A hook
    that raises is reported through `sys.unraisablehook` and answered conservatively
    (refuse the user or the token, default target and outputs).
    """

    def authorize(self, conn: int, user_identity: str, kind: str) -> bool:
        """May `user_identity` open a channel (`kind` is "standard" or "extended")? False
        answers `unknown-user`. Default: everyone may mine."""
        return True

    def initial_target(self, conn: int, user_identity: str, nominal_hash_rate: float) -> Optional[bytes]:
        """The initial target (32 bytes, little-endian) of a new channel instead of the
        vardiff estimate, or None. The engine clamps it to the pool's and client's bounds."""
        return None

    def validate_mining_job_token(
        self, conn: int, channel_id: int, user_identity: str, token: bytes, job: SetCustomMiningJob
    ) -> bool:
        """Is `token` a job token the pool's Job Negotiator issued for this custom job?
        Default: no."""
        return False

    def coinbase_outputs(self, template: NewTemplate) -> Optional[Sequence[Tuple[int, bytes]]]:
        """The pool's coinbase outputs `(value in satoshis, scriptPubKey)` for a template, or
        None for one output paying everything to the engine's `payout_script`."""
        return None
