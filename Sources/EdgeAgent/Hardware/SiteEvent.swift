import Foundation
import LockerIO

/// Something the hardware reported, as the local API lists it (`GET /v1/events`): cards, keypad entries,
/// rejected reads, door and lock events, the emergency input. Keypad entries show only their length, since
/// they may be receipt PINs.
public struct SiteEvent: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable { case reader, compartment, emergencyInput }

    public var at: Date
    public var source: Source
    /// cardPresented, keypadEntry, readRejected, forcedOpen, lockJammed, doorOpened, emergencyActive, ...
    public var kind: String
    public var reader: String?
    /// The compartment the event happened at, or the one the reader sits on (absent: the whole locker).
    public var compartment: String?
    /// The normalized idTag of a card.
    public var idTag: String?
    /// The number of characters of a keypad entry (never the characters).
    public var characters: Int?
    public var detail: String?

    public init(at: Date, source: Source, kind: String, reader: String? = nil, compartment: String? = nil,
                idTag: String? = nil, characters: Int? = nil, detail: String? = nil) {
        self.at = at
        self.source = source
        self.kind = kind
        self.reader = reader
        self.compartment = compartment
        self.idTag = idTag
        self.characters = characters
        self.detail = detail
    }

    /// A reader's event; `compartment` is the one the site file puts the reader on.
    init(_ event: ReaderEvent, compartment: String?, at date: Date) {
        switch event.kind {
        case .cardPresented(let tag):
            self.init(at: date, source: .reader, kind: "cardPresented", reader: event.readerID, compartment: compartment,
                      idTag: tag.value)
        case .keypadEntry(let entry):
            self.init(at: date, source: .reader, kind: "keypadEntry", reader: event.readerID, compartment: compartment,
                      characters: entry.text.count)
        case .rejected(let reason):
            self.init(at: date, source: .reader, kind: "readRejected", reader: event.readerID, compartment: compartment,
                      detail: reason.description)
        }
    }

    /// A compartment's event.
    init(_ event: CompartmentEvent, compartment: String, at date: Date) {
        let (kind, detail): (String, String?) =
            switch event {
            case .unlockConfirmed(let by): ("unlockConfirmed", "by \(by.rawValue)")
            case .unlockRetried(let attempt): ("unlockRetried", "attempt \(attempt)")
            case .lockJammed(let attempts): ("lockJammed", "no confirmation after \(attempts) attempts")
            case .relocked: ("relocked", nil)
            case .unexpectedLockRelease: ("unexpectedLockRelease", "the lock feedback reports unlocked though nothing unlocked it")
            case .doorOpened: ("doorOpened", nil)
            case .doorClosed: ("doorClosed", nil)
            case .forcedOpen: ("forcedOpen", "the door opened while locked")
            case .doorLeftOpen(let duration): ("doorLeftOpen", "open for \(duration.components.seconds) s")
            case .relaySwitched(let on): ("relaySwitched", on ? "on" : "off")
            case .relayRefused(let reason): ("relayRefused", reason.rawValue)
            case .relayInterlocked: ("relayInterlocked", "relay switched off: the door opened or the lock was released")
            case .emergencyUnlocked: ("emergencyUnlocked", nil)
            case .emergencyCleared: ("emergencyCleared", nil)
            case .faultsCleared: ("faultsCleared", nil)
            }
        self.init(at: date, source: .compartment, kind: kind, compartment: compartment, detail: detail)
    }
}

/// What the site controller has seen of the hardware. Lives inside the controller (the one owner of site
/// state); the functions that change it are in SiteController+Hardware.swift.
struct HardwareView: Sendable {
    static let eventsKept = 200

    var statuses: [String: CompartmentStatus] = [:]
    /// Faults the controller tracks itself (a refused relay), by compartment.
    var controllerFaults: [String: Set<String>] = [:]
    var emergencyActive = false
    /// Newest last; at most `eventsKept`.
    var events: [SiteEvent] = []
    var unlockWaiters: [String: [UInt64: CheckedContinuation<UnlockWait, Never>]] = [:]
    var nextWaiter: UInt64 = 0
    var followTasks: [Task<Void, Never>] = []

    /// Where recorded events go out to the live event stream and the metrics (LocalAPI/LiveEvent.swift).
    var liveEvents: LiveEventFeed?

    mutating func record(_ event: SiteEvent) {
        LiveEvent.hardwareEventRecorded(event, feed: liveEvents)
        events.append(event)
        if events.count > Self.eventsKept { events.removeFirst(events.count - Self.eventsKept) }
    }

    /// The faults to show, most pressing first.
    func faults(of compartment: String) -> [String] {
        let hardware = statuses[compartment]?.faults.map(\.rawValue) ?? []
        let all = Set(hardware).union(controllerFaults[compartment] ?? [])
        let order = ["forcedOpen", "jammedLock", "relayRefused", "doorLeftOpen"]
        return all.sorted { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }
    }
}

/// How a wait for an unlock ended.
enum UnlockWait: Sendable, Equatable {
    case confirmed(String)
    case alreadyUnlocked
    case jammed
    case timedOut
}
