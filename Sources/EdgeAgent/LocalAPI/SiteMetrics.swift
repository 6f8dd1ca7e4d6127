import CoreMetrics
import Foundation
import MeterBus
import Prometheus

/// The Prometheus side of the daemon's metrics (docs/local-api.md, "Metrics").
///
/// Counters are swift-metrics counters incremented where things happen (uplink messages, Modbus errors, door
/// faults; other modules add their own) and land in the registry that `bootstrapOnce()` installs as the
/// process's metrics factory. Values that describe the present (compartment state, power, queue depth) are
/// gauges written from the site's status right before each scrape, so they are never out of date.
public enum SiteMetrics {
    /// The process's registry. The first use installs it as swift-metrics' factory; `MetricsSystem.bootstrap`
    /// may run only once per process, and a `static let` runs its initializer exactly once.
    public static let processRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Installs the Prometheus factory for this process (the daemon's run path calls it first thing).
    @discardableResult
    public static func bootstrapOnce() -> PrometheusCollectorRegistry { processRegistry }

    /// Every OCPP status a compartment can show, so a scrape sets the current one to 1 and the others to 0.
    static let compartmentStatuses = [
        "Available", "Preparing", "Charging", "SuspendedEVSE", "SuspendedEV", "Finishing", "Reserved", "Unavailable",
        "Faulted",
    ]

    /// Door faults as the hardware events name them.
    static let doorFaultKinds: Set<String> = ["forcedOpen", "lockJammed", "doorLeftOpen"]

    // MARK: Counters (swift-metrics; no-ops until the factory is bootstrapped)

    static func countHardwareEvent(_ event: SiteEvent, factory: any MetricsFactory = MetricsSystem.factory) {
        guard doorFaultKinds.contains(event.kind), let compartment = event.compartment else { return }
        CoreMetrics.Counter(label: "edge_agent_door_faults_total",
                            dimensions: [("compartment", compartment), ("fault", event.kind)], factory: factory)
            .increment()
    }

    /// An OCPP call of ours written to the central system.
    static func countUplinkSent(action: String) {
        CoreMetrics.Counter(label: "edge_agent_uplink_messages_sent_total", dimensions: [("action", action)]).increment()
    }

    /// An OCPP call of ours that failed (CALLERROR, no answer, invalid answer, connection lost).
    static func countUplinkFailed(action: String) {
        CoreMetrics.Counter(label: "edge_agent_uplink_messages_failed_total", dimensions: [("action", action)]).increment()
    }

    /// A Modbus read of one device that failed.
    static func countModbusError(device: MeteredDevice, factory: any MetricsFactory = MetricsSystem.factory) {
        CoreMetrics.Counter(label: "edge_agent_modbus_errors_total",
                            dimensions: [("device", device.name), ("role", device.role.rawValue), ("bus", device.bus)],
                            factory: factory).increment()
    }

    // MARK: Gauges at scrape time

    /// Writes the present state into `registry` as gauges.
    static func recordSnapshot(_ snapshot: Snapshot, into registry: PrometheusCollectorRegistry) {
        func set(_ subsystem: String, _ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
            let descriptor = MetricNameDescriptor(
                namespace: "edge_agent", subsystem: subsystem, metricName: name, unitName: "", helpText: help)
            let gauge = labels.isEmpty
                ? registry.makeGauge(descriptor: descriptor) : registry.makeGauge(descriptor: descriptor, labels: labels)
            gauge.set(to: value)
        }
        func flag(_ condition: Bool) -> Double { condition ? 1 : 0 }
        set("uplink", "configured", "1 when the site file names a central system", [], flag(snapshot.uplinkConfigured))
        set("uplink", "connected", "1 while the central system accepted BootNotification and the link is up", [],
            flag(snapshot.uplinkState == "connected"))
        set("uplink", "queue_depth", "transaction messages stored and waiting for the central system", [],
            Double(snapshot.queueDepth))
        set("api", "event_stream_clients", "clients following GET /v1/events/stream", [], Double(snapshot.eventStreamClients))
        set("site", "emergency_active", "1 while the emergency input holds the compartments open", [],
            flag(snapshot.emergencyActive))
        for compartment in snapshot.compartments {
            let labels = [("compartment", compartment.name)]
            for status in compartmentStatuses {
                set("compartment", "status", "1 for the compartment's current OCPP status, 0 for the others",
                    labels + [("status", status)], flag(compartment.status == status))
            }
            set("compartment", "door_open", "1 while the door sensor reads open", labels, flag(compartment.door == "open"))
            set("compartment", "locked", "1 while the lock is latched", labels, flag(compartment.lock == "locked"))
            set("compartment", "relay_on", "1 while the socket relay is on", labels, flag(compartment.relay == "on"))
            set("compartment", "faults", "current faults of the compartment", labels, Double(compartment.faults.count))
            set("compartment", "session_active", "1 while a session holds the compartment", labels,
                flag(compartment.session != nil))
        }
        for meter in snapshot.meters {
            let labels = [("device", meter.device.name), ("role", meter.device.role.rawValue)]
            set("meter", "stale", "1 while the device gave no good reading for the staleness timeout", labels,
                flag(meter.stale))
            set("meter", "age_seconds", "seconds since the device's latest good reading", labels, meter.ageSeconds)
            if let watts = total(meter, .powerActiveImport, kilo: "kW") {
                set("meter", "power_watts", "active power imported, all phases", labels, watts)
            }
            if let wattHours = total(meter, .energyActiveImportRegister, kilo: "kWh") {
                set("meter", "energy_wh", "active energy import register", labels, wattHours)
            }
        }
    }

    /// The all-phases value of a measurand in base units (W, Wh), or nil when the device does not give it.
    static func total(_ meter: MeterStatus, _ measurand: Measurand, kilo: String) -> Double? {
        guard let value = meter.values.first(where: { $0.measurand == measurand && $0.phase == nil }),
              let number = value.value
        else { return nil }
        return value.unit == kilo ? number * 1000 : number
    }

    /// What a scrape reads from the site.
    struct Snapshot: Sendable {
        var uplinkConfigured: Bool
        var uplinkState: String
        var queueDepth: Int
        var eventStreamClients: Int
        var emergencyActive: Bool
        var compartments: [SiteStatus.Compartment]
        var meters: [MeterStatus]
    }

    static func snapshot(of site: SiteController, eventStreamClients: Int) async -> Snapshot {
        let status = await site.status()
        let meters = await site.metering?.statuses() ?? []
        return Snapshot(
            uplinkConfigured: site.configuration.centralSystem != nil, uplinkState: status.uplink.state,
            queueDepth: status.uplink.queueDepth ?? 0, eventStreamClients: eventStreamClients,
            emergencyActive: status.compartments.contains(where: \.emergency),
            compartments: status.compartments, meters: meters)
    }

    /// The text exposition of everything in `registry`, after the present state was written into it.
    static func render(site: SiteController, registry: PrometheusCollectorRegistry, eventStreamClients: Int) async -> String {
        recordSnapshot(await snapshot(of: site, eventStreamClients: eventStreamClients), into: registry)
        return registry.emitToString()
    }
}
