import Foundation
import Logging
import MeterBus
import ServiceLifecycle

/// What the site knows of one device right now, as `GET /v1/meters` shows it.
public struct MeterStatus: Sendable, Codable, Equatable {
    public var device: MeteredDevice
    /// Values of the latest good reading (empty before the first).
    public var values: [MeterValue]
    /// When the latest good reading was taken.
    public var time: Date?
    /// Seconds since `time` (or since polling started, before the first reading).
    public var ageSeconds: Double
    /// True when no good reading arrived for the staleness timeout: the values must not be used as current.
    public var stale: Bool
    /// The latest failure while stale.
    public var lastError: String?
}

/// Polls every configured Modbus device through MeterBus (one `ModbusBus` per physical bus, one
/// `DevicePoller` per device) and keeps each device's latest reading and staleness for the site.
public actor MeteringService: Service {
    public nonisolated let devices: [MeteredDevice]
    public nonisolated let staleAfter: Duration
    /// The simulated meters behind the simulated bus (simulator board only).
    public nonisolated let simulation: SimulatedMeterSite?
    private let pollers: [DevicePoller]
    private let buses: [ModbusBus]
    private let clock: any MeterClock
    private let logger: Logger
    private var startedAt: Date
    private var latest: [Int: MeterReading] = [:]
    private var staleNotices: [Int: StaleNotice] = [:]

    /// - Parameters:
    ///   - pollInterval: how often each device is read.
    ///   - staleAfter: how long a device may fail before its values are stale.
    public init(configuration: SiteConfiguration, catalog: ProfileCatalog, pollInterval: Duration, staleAfter: Duration,
                simulation: SimulatedMeterSite? = nil, clock: any MeterClock = SystemMeterClock(), logger: Logger) {
        var buses: [String: ModbusBus] = [:]
        var devices: [MeteredDevice] = []
        var pollers: [DevicePoller] = []
        for device in MeteredDevice.all(in: configuration) {
            // Validation guarantees both exist; skip defensively rather than crash the daemon.
            guard let site = configuration.bus(named: device.bus), let profile = catalog.profiles[device.profile] else {
                logger.error("metered device skipped: unknown bus or profile", metadata: ["device": "\(device.name)"])
                continue
            }
            let bus = buses[device.bus] ?? ModbusBus(
                configuration: site.meterBusConfiguration, logger: logger.with(label: "edge-agent.meterbus"))
            buses[device.bus] = bus
            let meter = MeterDevice(id: "\(device.role.rawValue) \(device.name)", bus: bus, unit: device.unit,
                                    profile: profile, clock: clock, logger: logger)
            devices.append(device)
            pollers.append(DevicePoller(device: meter, settings: .init(interval: pollInterval, staleAfter: staleAfter),
                                        clock: clock, logger: logger,
                                        onReadFailure: { _ in SiteMetrics.countModbusError(device: device) }))
        }
        self.devices = devices
        self.pollers = pollers
        self.buses = Array(buses.values)
        self.staleAfter = staleAfter
        self.simulation = simulation
        self.clock = clock
        self.logger = logger
        self.startedAt = clock.now()
    }

    /// Polls until graceful shutdown. Stopping does not wait for reads in flight: on a silent bus each can take
    /// a full timeout (times retries), queued behind each other; the buses close once they are done.
    public func run() async throws {
        startedAt = clock.now()
        logger.info("metering started", metadata: ["devices": "\(devices.count)", "buses": "\(buses.count)"])
        var tasks: [Task<Void, Never>] = []
        for (index, poller) in pollers.enumerated() {
            // Subscribe before polling starts so no update is missed.
            let stream = await poller.updates()
            tasks.append(Task { for await update in stream { self.record(update, index: index) } })
            tasks.append(Task { await poller.run() })
        }
        try? await gracefulShutdown()
        for task in tasks { task.cancel() }
        let buses = self.buses
        Task {
            for task in tasks { await task.value }
            for bus in buses { await bus.close() }
        }
        logger.info("metering stopped")
    }

    private func record(_ update: MeterUpdate, index: Int) {
        switch update {
        case let .reading(reading):
            latest[index] = reading
            staleNotices[index] = nil
        case let .stale(notice):
            staleNotices[index] = notice
        }
    }

    /// Every device with its latest values, age and staleness.
    public func statuses() -> [MeterStatus] {
        let now = clock.now()
        return devices.indices.map { index in
            let reading = latest[index]
            let age = now.timeIntervalSince(reading?.time ?? startedAt)
            // A poller that is itself stuck publishes nothing: age alone makes the values stale too.
            let stale = staleNotices[index] != nil || age >= staleAfter.seconds
            return MeterStatus(
                device: devices[index], values: reading?.values ?? [], time: reading?.time, ageSeconds: age,
                stale: stale, lastError: staleNotices[index]?.lastError ?? (stale ? "no reading for \(Int(age)) s" : nil))
        }
    }

    /// The latest status of one device by role and name (e.g. `.grid`, "grid"; `.compartment`, "A1").
    public func status(role: MeteredDevice.Role, name: String) -> MeterStatus? {
        statuses().first { $0.device.role == role && $0.device.name == name }
    }

    /// Writes a writable value of one device (e.g. a charger's `current-setpoint`) through its profile and reads
    /// it back (MeterDevice.write); throws when the device is unknown, refuses or reads back something else.
    public func write(role: MeteredDevice.Role, name: String, value: String, to number: Double) async throws(MeterError) {
        guard let index = devices.firstIndex(where: { $0.role == role && $0.name == name }) else {
            throw .unknownValue(value, profile: "no \(role.rawValue) '\(name)' is metered")
        }
        try await pollers[index].device.write(value, value: number)
    }
}

extension Duration {
    /// Whole and fractional seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
