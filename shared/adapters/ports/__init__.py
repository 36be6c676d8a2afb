"""Ports: what the services need from storage, the event bus, email and the clock.

Services depend on these Protocols and on the frozen records, never on Firestore: the
stores in `shared.adapters.firestore` implement them for real, the in-memory fakes in
`tests/` for unit tests. A store returns records and models, never raw documents, and
only a store knows how its documents are laid out. `now` is always passed in (services
read it from `Adapters.clock`), so a store holds no clock of its own.

Writes whose event must not be lost take the event (an `Envelope`) and store it in the
outbox atomically with the document; the relay publishes what the request path could not.

`Adapters` (shared.runtime.bootstrap) carries one of each, typed as these Protocols:
`settings`, `clock`, `publisher`, `sender`, `funders`, `grants`, `subscribers`, `erasure`,
`interests`, `matches`, `alerts`, `notifications`, `outbox`, `processed`, `rate_counters`,
`harvest`.

Import from here (`from shared.adapters.ports import AlertStore`); the submodules only
keep each file short.
"""

from shared.adapters.ports.bus import (
    Clock,
    DeadLetterInbox,
    EmailSender,
    Parked,
    PermanentSendError,
    Publisher,
    PublishFailed,
    SendReceipt,
    TransientSendError,
)
from shared.adapters.ports.funder_pages import FunderPagesStore
from shared.adapters.ports.harvest import HarvestStore
from shared.adapters.ports.ledgers import OutboxLedger, ProcessedEvents, RateCounters
from shared.adapters.ports.my_page import Mark, MyPageStore
from shared.adapters.ports.records import (
    MAX_GRANTS_PER_BATCH,
    Alert,
    AlertStatus,
    ApiKeyRecord,
    ClaimOutcome,
    ConcurrentUpdate,
    DueAlert,
    ErasureRequestRecord,
    GrantChange,
    GrantVersion,
    GrantWrite,
    Handoff,
    HarvestProgress,
    NotificationClaim,
    NotificationRecord,
    NotificationStatus,
    SaveOutcome,
    StoredCall,
    WindowCount,
    alert_id,
)
from shared.adapters.ports.stores import (
    AlertStore,
    ErasureStore,
    FunderStore,
    GrantStore,
    InterestStore,
    MatchStore,
    NotificationStore,
    SubscriberStore,
)

__all__ = [
    "MAX_GRANTS_PER_BATCH",
    "Alert",
    "AlertStatus",
    "AlertStore",
    "ApiKeyRecord",
    "ClaimOutcome",
    "Clock",
    "ConcurrentUpdate",
    "DeadLetterInbox",
    "DueAlert",
    "EmailSender",
    "ErasureRequestRecord",
    "ErasureStore",
    "FunderPagesStore",
    "FunderStore",
    "GrantChange",
    "GrantStore",
    "GrantVersion",
    "GrantWrite",
    "Handoff",
    "HarvestProgress",
    "HarvestStore",
    "InterestStore",
    "Mark",
    "MatchStore",
    "MyPageStore",
    "NotificationClaim",
    "NotificationRecord",
    "NotificationStatus",
    "NotificationStore",
    "OutboxLedger",
    "Parked",
    "PermanentSendError",
    "ProcessedEvents",
    "PublishFailed",
    "Publisher",
    "RateCounters",
    "SaveOutcome",
    "SendReceipt",
    "StoredCall",
    "SubscriberStore",
    "TransientSendError",
    "WindowCount",
    "alert_id",
]
