import CGPIOD
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// GPIO through libgpiod 1.6 (the v1 API Debian 12 ships) on /dev/gpiochipN.
///
/// Each requested line keeps its own chip handle, so releasing a line never disturbs another.
/// Input edges are read on one dedicated thread per line, because libgpiod's wait is blocking.
public struct LibgpiodBackend: GPIOBackend {
    /// The group that owns /dev/gpiochip* on Debian and Raspberry Pi OS.
    public let accessGroup: String
    private let logger: Logger

    public init(accessGroup: String = "gpio", logger: Logger = Logger(label: "lockerio.gpio")) {
        self.accessGroup = accessGroup
        self.logger = logger
    }

    public func requestOutput(_ config: LineConfig, initial: LineLevel, consumer: String) throws(GPIOError)
        -> any GPIOOutputLine
    {
        let (chip, line, address) = try open(config.address)
        let result = gpiod_line_request_output_flags(line, consumer, flags(config), initial.isActive ? 1 : 0)
        if result != 0 { try fail(requesting: line, chip: chip, address: address, errno: errno) }
        logger.debug("requested GPIO output", metadata: ["line": "\(address)", "initial": "\(initial)"])
        return LibgpiodOutputLine(handle: LineHandle(chip: chip, line: line, address: address))
    }

    public func requestInput(_ config: LineConfig, consumer: String) throws(GPIOError) -> any GPIOInputLine {
        let (chip, line, address) = try open(config.address)
        let result = gpiod_line_request_both_edges_events_flags(line, consumer, flags(config))
        if result != 0 { try fail(requesting: line, chip: chip, address: address, errno: errno) }
        logger.debug("requested GPIO input", metadata: ["line": "\(address)"])
        return LibgpiodInputLine(handle: LineHandle(chip: chip, line: line, address: address), logger: logger)
    }

    private func flags(_ config: LineConfig) -> Int32 {
        config.activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0
    }

    /// Opens the chip and finds the line; the caller owns the chip handle afterwards.
    private func open(_ address: LineAddress) throws(GPIOError) -> (OpaquePointer, OpaquePointer, LineAddress) {
        guard let chip = gpiod_chip_open_lookup(address.chip) else {
            throw chipOpenError(address.chip, errno: errno)
        }
        let chipName = String(cString: gpiod_chip_name(chip))
        switch address.line {
        case .offset(let offset):
            let count = gpiod_chip_num_lines(chip)
            guard offset < count, let line = gpiod_chip_get_line(chip, offset) else {
                gpiod_chip_close(chip)
                throw .lineOutOfRange(chip: chipName, offset: offset, lineCount: count)
            }
            return (chip, line, LineAddress(chip: chipName, offset: offset))
        case .name(let name):
            guard let line = gpiod_chip_find_line(chip, name) else {
                gpiod_chip_close(chip)
                throw .lineNameNotFound(chip: chipName, name: name)
            }
            return (chip, line, LineAddress(chip: chipName, offset: gpiod_line_offset(line)))
        }
    }

    private func fail(requesting line: OpaquePointer, chip: OpaquePointer, address: LineAddress, errno code: Int32)
        throws(GPIOError) -> Never
    {
        defer { gpiod_chip_close(chip) }
        switch code {
        case EBUSY:
            _ = gpiod_line_update(line)
            let consumer = gpiod_line_consumer(line).map { String(cString: $0) }
            throw .lineBusy(line: address, consumer: consumer)
        case EACCES, EPERM:
            throw .permissionDenied(path: "/dev/\(address.chip)", group: accessGroup)
        default:
            throw .ioFailed(line: address, operation: "request", errno: code)
        }
    }

    private func chipOpenError(_ chip: String, errno code: Int32) -> GPIOError {
        switch code {
        case EACCES, EPERM:
            let path = chip.hasPrefix("/") ? chip : "/dev/\(chip.hasPrefix("gpiochip") ? chip : "gpiochip*")"
            return .permissionDenied(path: path, group: accessGroup)
        case ENOTTY, ENODEV, EINVAL:
            // The name resolved to a file that is not a GPIO character device.
            return FileManager.default.fileExists(atPath: chip)
                ? .notAGPIOChip(chip: chip)
                : .chipMissing(chip: chip, availableChips: Self.presentChips())
        default:
            return .chipMissing(chip: chip, availableChips: Self.presentChips())
        }
    }

    /// The gpiochip devices in /dev, for error messages.
    static func presentChips() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? []
        return entries.filter { $0.hasPrefix("gpiochip") }.sorted()
    }
}

/// Owns one chip handle and one requested line. Every use of the pointers happens under the
/// mutex, except the edge thread's wait, which ends before `close` frees them.
final class LineHandle: Sendable {
    private struct Pointers: @unchecked Sendable {
        var chip: OpaquePointer
        var line: OpaquePointer
    }

    let address: LineAddress
    private let pointers: Mutex<Pointers?>

    init(chip: OpaquePointer, line: OpaquePointer, address: LineAddress) {
        self.address = address
        pointers = Mutex(Pointers(chip: chip, line: line))
    }

    /// Runs `body` with the line pointer, or throws if the line was released.
    func withLine<T: Sendable>(_ body: @Sendable (OpaquePointer) -> T) throws(GPIOError) -> T {
        let result: T? = pointers.withLock { pointers -> T? in
            guard let line = pointers?.line else { return nil }
            return body(line)
        }
        guard let result else { throw .lineReleased(line: address) }
        return result
    }

    /// The line pointer for the edge thread; valid until `close()`.
    var linePointerForEvents: OpaquePointer? { pointers.withLock { $0?.line } }

    func close() {
        pointers.withLock { pointers in
            if let owned = pointers {
                gpiod_line_release(owned.line)
                gpiod_chip_close(owned.chip)
            }
            pointers = nil
        }
    }

    deinit { close() }
}

private struct LibgpiodOutputLine: GPIOOutputLine {
    let handle: LineHandle
    var address: LineAddress { handle.address }

    func set(_ level: LineLevel) async throws(GPIOError) {
        let (result, code) = try handle.withLine { line in
            (gpiod_line_set_value(line, level.isActive ? 1 : 0), errno)
        }
        if result != 0 { throw .ioFailed(line: address, operation: "set", errno: code) }
    }

    func release() async { handle.close() }
}

private final class LibgpiodInputLine: GPIOInputLine {
    let handle: LineHandle
    let edges: AsyncStream<LineEdgeEvent>
    private let stopRequested = StopFlag()
    private let stopped: AsyncStream<Void>
    var address: LineAddress { handle.address }

    init(handle: LineHandle, logger: Logger) {
        self.handle = handle
        let (edges, continuation) = AsyncStream.makeStream(of: LineEdgeEvent.self, bufferingPolicy: .bufferingNewest(4096))
        let (stopped, stoppedContinuation) = AsyncStream.makeStream(of: Void.self)
        self.edges = edges
        self.stopped = stopped
        let stop = stopRequested
        let address = handle.address
        // The thread keeps the handle alive, so the line cannot be freed under its wait.
        let thread = Thread {
            defer {
                continuation.finish()
                stoppedContinuation.finish()
            }
            guard let line = handle.linePointerForEvents else { return }
            Self.watch(line, until: stop, address: address, logger: logger, continuation: continuation)
            withExtendedLifetime(handle) {}
        }
        thread.name = "gpio-edges \(address)"
        thread.start()
    }

    /// A line dropped without `release()` still stops its thread; the handle then closes itself.
    deinit { stopRequested.set() }

    private static func watch(
        _ line: OpaquePointer, until stop: StopFlag, address: LineAddress, logger: Logger,
        continuation: AsyncStream<LineEdgeEvent>.Continuation
    ) {
        // A short wait timeout keeps release prompt without a wake-up pipe.
        var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
        var events = [gpiod_line_event](repeating: gpiod_line_event(), count: 16)
        while !stop.isSet {
            let waited = gpiod_line_event_wait(line, &timeout)
            if waited < 0 {
                logger.error("GPIO edge wait failed", metadata: ["line": "\(address)", "errno": "\(errno)"])
                return
            }
            guard waited > 0 else { continue }
            let count = gpiod_line_event_read_multiple(line, &events, UInt32(events.count))
            guard count > 0 else { continue }
            for event in events.prefix(Int(count)) {
                let instant = MonotonicInstant(nanoseconds: Int64(event.ts.tv_sec) * 1_000_000_000 + Int64(event.ts.tv_nsec))
                // With both edges requested the kernel reports the logical level (active-low applied).
                let level = LineLevel(isActive: event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE))
                continuation.yield(LineEdgeEvent(level: level, timestamp: instant))
            }
        }
    }

    func read() async throws(GPIOError) -> LineLevel {
        let (value, code) = try handle.withLine { line in (gpiod_line_get_value(line), errno) }
        if value < 0 { throw .ioFailed(line: address, operation: "read", errno: code) }
        return LineLevel(isActive: value == 1)
    }

    func release() async {
        stopRequested.set()
        for await _ in stopped {}
        handle.close()
    }
}

/// Tells a blocking reader thread to finish.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
