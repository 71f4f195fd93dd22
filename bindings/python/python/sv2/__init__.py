"""Stratum V2 for Python: messages, codec, keys, sessions, the mining client and the pool engine.

The distribution is ``libsv2``; the import name is ``sv2``. Everything native lives in the
private module ``sv2._sv2`` and is re-exported here; ``sv2.aio`` adds asyncio streams.
"""

from sv2._sv2 import *  # noqa: F401,F403
from sv2._sv2 import __version__
from sv2._codes import ResultCode

from typing import Union

#: What `Session.next_event()` returns (besides None).
SessionEvent = Union[Message, RawFrame, HandshakeComplete, SetupComplete, Closed]

__all__ = [
    "__version__",
    "DIALECTS",
    "Sv2Error",
    "UsageError",
    "CodecError",
    "NoiseError",
    "ProtocolError",
    "result_codes",
    "result_str",
    "ResultCode",
    "Message",
    "FrameHeader",
    "RawFrame",
    "StreamDecoder",
    "decode",
    "decode_frame",
    "decode_payload",
    "encode",
    "message_class",
    "AuthorityPublicKey",
    "AuthoritySecretKey",
    "StaticPublicKey",
    "StaticSecretKey",
    "Certificate",
    "PoolUrl",
    "read_key_file",
    "monotonic_ms",
    "ClientConfig",
    "ServerConfig",
    "Session",
    "SessionEvent",
    "HandshakeComplete",
    "SetupComplete",
    "Closed",
]
# --- BEGIN GENERATED MESSAGES (cargo xtask codegen; do not edit) ---
__all__ += [
    "SetupConnection",
    "SetupConnectionSuccess",
    "SetupConnectionError",
    "ChannelEndpointChanged",
    "OpenStandardMiningChannel",
    "OpenStandardMiningChannelSuccess",
    "OpenStandardMiningChannelError",
    "OpenExtendedMiningChannel",
    "OpenExtendedMiningChannelSuccess",
    "OpenExtendedMiningChannelError",
    "UpdateChannel",
    "UpdateChannelError",
    "CloseChannel",
    "SetExtranoncePrefix",
    "SubmitSharesStandard",
    "SubmitSharesExtended",
    "SubmitSharesSuccess",
    "SubmitSharesError",
    "NewMiningJob",
    "NewExtendedMiningJob",
    "MiningSetNewPrevHash",
    "SetTarget",
    "SetCustomMiningJob",
    "SetCustomMiningJobSuccess",
    "SetCustomMiningJobError",
    "Reconnect",
    "SetGroupChannel",
    "AllocateMiningJobToken",
    "AllocateMiningJobTokenSuccess",
    "AllocateMiningJobTokenError",
    "IdentifyTransactions",
    "IdentifyTransactionsSuccess",
    "ProvideMissingTransactions",
    "ProvideMissingTransactionsSuccess",
    "CommitMiningJob",
    "CommitMiningJobSuccess",
    "CommitMiningJobError",
    "CoinbaseOutputDataSize",
    "NewTemplate",
    "TdpSetNewPrevHash",
    "RequestTransactionData",
    "RequestTransactionDataSuccess",
    "RequestTransactionDataError",
    "SubmitSolution",
    "OpenTelemetryChannel",
    "OpenTelemetryChannelSuccess",
    "OpenTelemetryChannelError",
    "SubmitTelemetryData",
    "SubmitTelemetryDataSuccess",
    "SubmitTelemetryDataError",
]
# --- END GENERATED MESSAGES ---
