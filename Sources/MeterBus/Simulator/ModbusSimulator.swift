import CModbus
import Foundation
import Logging

/// Errors from controlling the simulator.
public enum SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotListen(host: String, port: Int, reason: String)
    case cannotOpenSerial(device: String, reason: String)
    case unknownUnit(Int)
    case unitInUse(Int)
    case unknownValue(String, unit: Int)

    public var description: String {
        switch self {
        case let .cannotListen(host, port, reason): "simulator cannot listen on \(host):\(port): \(reason); pick another port"
        case let .cannotOpenSerial(device, reason):
            "simulator cannot open serial device \(device): \(reason); check the path and that nothing else holds it"
        case let .unknownUnit(unit): "simulator has no device at unit \(unit); add it first"
        case let .unitInUse(unit): "simulator already has a device at unit \(unit)"
        case let .unknownValue(name, unit): "simulated device at unit \(unit) has no value '\(name)' (see its profile)"
        }
    }
}

/// A real Modbus server on libmodbus, serving simulated devices at their unit ids: Modbus TCP,
/// or Modbus RTU on a serial device (e.g. one end of a socat pty pair, or a USB RS-485 adapter).
/// The server loop runs on its own thread because libmodbus blocks; device state is shared
/// with the control API under a lock (the loop cannot await an actor).
public final class ModbusSimulator: Sendable {
    /// Where the simulator serves.
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case rtu(SerialSettings)
    }

    public let endpoint: Endpoint
    private let state = Locked(State())
    private let logger: Logger

    struct State {
        var devices: [Int: SimulatedDevice] = [:]
        var running = false
        var port: Int?
        var finished: DispatchSemaphore?
    }

    /// - Parameters:
    ///   - host: address to bind; keep 127.0.0.1 unless other machines must reach it.
    ///   - port: 0 lets the system pick a free port (see `port` after `start()`).
    public init(host: String = "127.0.0.1", port: Int = 0, logger: Logger = Logger(label: "meterbus.simulator")) {
        self.endpoint = .tcp(host: host, port: port)
        self.logger = logger
    }

    /// A Modbus RTU server on a serial device. It answers for every unit that has a device,
    /// like a bus with several meters on it.
    public init(rtu serial: SerialSettings, logger: Logger = Logger(label: "meterbus.simulator")) {
        self.endpoint = .rtu(serial)
        self.logger = logger
    }

    /// The TCP address to bind ("" for RTU).
    public var host: String {
        if case let .tcp(host, _) = endpoint { return host }
        return ""
    }

    deinit { stop() }

    /// The bound port once started (TCP only).
    public var port: Int? { state.withLock { $0.port } }

    /// Bus configuration that reaches this TCP simulator once started. Nil for RTU: clients
    /// open the other end of the serial line (e.g. the peer pty), which the simulator cannot know.
    public var busConfiguration: BusConfiguration? {
        port.map { BusConfiguration(link: .tcp(host: host, port: $0), responseTimeout: .milliseconds(300)) }
    }

    // MARK: devices and values

    public func addDevice(unit: Int, profile: DeviceProfile, sunSpecBase: Int = 40000, sunSpecModels: [Int]? = nil) throws(SimulatorError) {
        try state.withLock { (state: inout State) throws(SimulatorError) in
            guard state.devices[unit] == nil else { throw .unitInUse(unit) }
            state.devices[unit] = SimulatedDevice(unit: unit, profile: profile, sunSpecBase: sunSpecBase, sunSpecModels: sunSpecModels)
        }
    }

    public func removeDevice(unit: Int) {
        state.withLock { _ = $0.devices.removeValue(forKey: unit) }
    }

    /// Sets an engineering value by profile value name (nil = not available).
    public func set(unit: Int, _ name: String, to value: Double?) throws(SimulatorError) {
        try update(unit) { (device: inout SimulatedDevice) throws(SimulatorError) in
            guard device.set(name, to: value) else { throw .unknownValue(name, unit: unit) }
        }
    }

    /// Sets the value feeding an OCPP measurand (and phase).
    public func set(unit: Int, _ measurand: Measurand, phase: Phase? = nil, to value: Double?) throws(SimulatorError) {
        try update(unit) { (device: inout SimulatedDevice) throws(SimulatorError) in
            guard device.set(measurand, phase: phase, to: value) else {
                throw .unknownValue(measurand.rawValue + (phase.map { " \($0.rawValue)" } ?? ""), unit: unit)
            }
        }
    }

    /// Copies site-model measurements into a device, converting units to the profile's;
    /// measurements the profile has no value for are skipped.
    public func apply(_ measurements: [SimulatedMeasurement], unit: Int) throws(SimulatorError) {
        try update(unit) { (device: inout SimulatedDevice) throws(SimulatorError) in
            for measurement in measurements {
                guard let spec = device.profile.values.first(where: {
                    $0.measurand == measurement.measurand && $0.phase == measurement.phase
                }), let value = measurement.value(in: spec.unit) else { continue }
                device.set(spec.name, to: value)
            }
        }
    }

    /// Current engineering value, including setpoints written by clients.
    public func value(unit: Int, _ name: String) throws(SimulatorError) -> Double? {
        try state.withLock { (state: inout State) throws(SimulatorError) -> Double? in
            guard let device = state.devices[unit] else { throw .unknownUnit(unit) }
            guard device.profile.value(named: name) != nil else { throw .unknownValue(name, unit: unit) }
            return device.value(name)
        }
    }

    /// Injects a fault (nil clears it).
    public func setFault(_ fault: SimulatorFault?, unit: Int) throws(SimulatorError) {
        try update(unit) { $0.fault = fault }
    }

    /// Makes a value answer "illegal data address", like a device variant without it.
    public func setUnsupported(_ name: String, unit: Int, unsupported: Bool = true) throws(SimulatorError) {
        try update(unit) { (device: inout SimulatedDevice) throws(SimulatorError) in
            guard device.profile.value(named: name) != nil else { throw .unknownValue(name, unit: unit) }
            if unsupported { device.unsupported.insert(name) } else { device.unsupported.remove(name) }
        }
    }

    private func update(_ unit: Int, _ body: (inout SimulatedDevice) throws(SimulatorError) -> Void) throws(SimulatorError) {
        try state.withLock { (state: inout State) throws(SimulatorError) in
            guard var device = state.devices[unit] else { throw .unknownUnit(unit) }
            try body(&device)
            state.devices[unit] = device
        }
    }

    // MARK: server

    /// Binds (TCP) or opens the serial device (RTU) and starts serving. Returns the bound
    /// port for TCP, 0 for RTU.
    @discardableResult
    public func start() throws(SimulatorError) -> Int {
        switch endpoint {
        case let .tcp(host, port): try startTCP(host: host, requestedPort: port)
        case let .rtu(serial): try startRTU(serial)
        }
    }

    private func startTCP(host: String, requestedPort: Int) throws(SimulatorError) -> Int {
        if let port = state.withLock({ $0.running ? $0.port : nil }) { return port }
        guard let context = modbus_new_tcp(host, Int32(requestedPort)) else {
            throw .cannotListen(host: host, port: requestedPort, reason: String(cString: modbus_strerror(errno)))
        }
        let listener = modbus_tcp_listen(context, 16)
        guard listener >= 0 else {
            let reason = String(cString: modbus_strerror(errno))
            modbus_free(context)
            throw .cannotListen(host: host, port: requestedPort, reason: reason)
        }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let finished = DispatchSemaphore(value: 0)
        state.withLock {
            $0.running = true
            $0.port = port
            $0.finished = finished
        }
        let server = ServerLoop(context: ContextBox(context), listener: listener, simulator: self)
        let thread = Thread {
            server.run()
            finished.signal()
        }
        thread.name = "modbus-simulator:\(port)"
        thread.start()
        logger.info("Modbus simulator listening", metadata: ["host": "\(host)", "port": "\(port)"])
        return port
    }

    private func startRTU(_ serial: SerialSettings) throws(SimulatorError) -> Int {
        if state.withLock({ $0.running }) { return 0 }
        let parity = CChar(UInt8(ascii: serial.parity.rawValue.unicodeScalars.first!))
        guard let context = modbus_new_rtu(serial.device, Int32(serial.baud), parity, Int32(serial.dataBits), Int32(serial.stopBits)) else {
            throw .cannotOpenSerial(device: serial.device, reason: String(cString: modbus_strerror(errno)))
        }
        guard modbus_connect(context) == 0 else {
            let reason = String(cString: modbus_strerror(errno))
            modbus_free(context)
            throw .cannotOpenSerial(device: serial.device, reason: reason)
        }
        let finished = DispatchSemaphore(value: 0)
        state.withLock {
            $0.running = true
            $0.finished = finished
        }
        let server = RTUServerLoop(context: ContextBox(context), simulator: self)
        let thread = Thread {
            server.run()
            finished.signal()
        }
        thread.name = "modbus-simulator:rtu"
        thread.start()
        logger.info("Modbus RTU simulator serving", metadata: ["device": "\(serial.device)", "baud": "\(serial.baud)"])
        return 0
    }

    /// Stops serving and closes every connection. Devices and values are kept.
    public func stop() {
        let finished = state.withLock { (state: inout State) -> DispatchSemaphore? in
            guard state.running else { return nil }
            state.running = false
            return state.finished
        }
        finished?.wait()
    }

    var isRunning: Bool { state.withLock { $0.running } }

    /// Decides the reply to one request (pure over the device state).
    func respond(unit: Int, request: SimulatorRequest) -> SimulatorResponse {
        state.withLock { (state: inout State) -> SimulatorResponse in
            guard var device = state.devices[unit] else { return .none }
            switch device.fault {
            case .silent: return .none
            case let .exception(code): return .exception(code)
            case .garbage: return .garbage
            case nil: break
            }
            switch request {
            case let .read(function, address, count):
                switch device.read(function, address: address, count: count) {
                case let .success(words): return .registers(function: function, address: address, words: words)
                case let .failure(code): return .exception(code)
                }
            case let .write(function, address, words):
                if let code = device.write(function, address: address, words: words) { return .exception(code) }
                state.devices[unit] = device
                return .written(function: function, address: address, words: words)
            case .unsupported:
                return .exception(.illegalFunction)
            }
        }
    }
}

/// A small lock-protected box (NSLock keeps this building on every platform the package names).
final class Locked<Value>: @unchecked Sendable {
    // Safety: `value` is only accessed while `lock` is held.
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<T, E: Error>(_ body: (inout Value) throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Carries the server's libmodbus context into its thread; only that thread uses it.
final class ContextBox: @unchecked Sendable {
    let context: OpaquePointer
    init(_ context: OpaquePointer) { self.context = context }
}
