import Foundation

/// One state change on the live event stream (`GET /v1/events/stream`, docs/local-api.md). `type` says which
/// of the optional fields is set.
public struct LiveEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A compartment's status line changed (status, door, lock, relay, faults, indicator or session).
        case compartment
        /// A session started, changed state or left its compartment (`change`).
        case session
        /// A hardware event as `GET /v1/events` lists it (cards, doors, locks, relays, the emergency input).
        case hardware
        /// An audit record was committed.
        case audit
        /// The uplink's connection state or queue depth changed.
        case uplink
        /// A connector's OCPP status as the central system is told it (compartments, chargers, 0: the site).
        case connector
    }

    /// A connector's status as StatusNotification reports it.
    public struct Connector: Sendable, Codable, Equatable {
        public var connectorId: Int
        public var status: String
        public var fault: String?
    }

    /// The uplink as the stream shows it.
    public struct Uplink: Sendable, Codable, Equatable {
        public var state: String
        public var queueDepth: Int
        public var detail: String?
    }

    public var type: Kind
    public var at: Date
    public var compartment: SiteStatus.Compartment?
    /// `started`, `changed` or `ended` for a session event.
    public var change: String?
    public var session: SessionSummary?
    public var event: SiteEvent?
    public var record: AuditRecord?
    public var uplink: Uplink?
    public var connector: Connector?

    public init(type: Kind, at: Date, compartment: SiteStatus.Compartment? = nil, change: String? = nil,
                session: SessionSummary? = nil, event: SiteEvent? = nil, record: AuditRecord? = nil, uplink: Uplink? = nil,
                connector: Connector? = nil) {
        self.connector = connector
        self.type = type
        self.at = at
        self.compartment = compartment
        self.change = change
        self.session = session
        self.event = event
        self.record = record
        self.uplink = uplink
    }

    /// The events that turn the compartments `old` into `new`: a `compartment` event for every compartment
    /// whose status line differs, and a `session` event when its session started, changed state or ended.
    public static func compartmentChanges(from old: [Int: SiteStatus.Compartment], to new: [Int: SiteStatus.Compartment],
                                          at date: Date) -> [LiveEvent] {
        var events: [LiveEvent] = []
        for (connectorId, compartment) in new.sorted(by: { $0.key < $1.key }) {
            let before = old[connectorId]
            guard before != compartment else { continue }
            events.append(LiveEvent(type: .compartment, at: date, compartment: compartment))
            let (was, now) = (before?.session, compartment.session)
            if let was, was.id != now?.id {
                events.append(LiveEvent(type: .session, at: date, change: "ended", session: was))
            }
            if let now {
                if was?.id != now.id {
                    events.append(LiveEvent(type: .session, at: date, change: "started", session: now))
                } else if was?.state != now.state {
                    events.append(LiveEvent(type: .session, at: date, change: "changed", session: now))
                }
            }
        }
        return events
    }
}

/// Where the site's state changes are published for the live event stream and the metrics.
public typealias LiveEventFeed = Broadcaster<LiveEvent>

extension Broadcaster where Element == LiveEvent {
    func publishCompartmentChanges(from old: [Int: SiteStatus.Compartment], to new: [Int: SiteStatus.Compartment]) {
        // Nobody listening: skip the comparison.
        guard subscriberCount > 0 else { return }
        for event in LiveEvent.compartmentChanges(from: old, to: new, at: Date()) { publish(event) }
    }
}

extension LiveEvent {
    /// Called for every hardware event the site controller records: counted for the metrics and published on
    /// the live event stream.
    static func hardwareEventRecorded(_ event: SiteEvent, feed: LiveEventFeed?) {
        SiteMetrics.countHardwareEvent(event)
        feed?.publish(LiveEvent(type: .hardware, at: event.at, event: event))
    }
}
