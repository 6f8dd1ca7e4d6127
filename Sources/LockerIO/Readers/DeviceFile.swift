import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Why a reader could not start.
public enum ReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    case deviceMissing(path: String)
    case permissionDenied(path: String, group: String)
    case notATerminal(path: String)
    case unsupportedBaudRate(Int)
    case grabFailed(path: String, errno: Int32)
    case gpio(GPIOError)
    case ioFailed(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .deviceMissing(let path):
            "reader device \(path) does not exist; check the cable and the path in the configuration "
                + "(ls /dev/ttyUSB* /dev/ttyACM* /dev/input/by-id/)"
        case let .permissionDenied(path, group):
            "permission denied opening \(path); add the service user to the '\(group)' group "
                + "(sudo usermod -aG \(group) <user>) and restart the service"
        case .notATerminal(let path):
            "\(path) is not a serial port; configure it as an input-device reader or fix the path"
        case .unsupportedBaudRate(let rate):
            "baud rate \(rate) is not supported; use one of \(SerialSettings.supportedBaudRates.map(String.init).joined(separator: ", "))"
        case let .grabFailed(path, code):
            "could not take exclusive access to \(path) (errno \(code)); another program may have grabbed it"
        case .gpio(let error): error.description
        case let .ioFailed(path, operation, code):
            "\(operation) on \(path) failed: \(String(cString: strerror(code)))"
        }
    }
}

/// Baud rate and framing for a serial reader or keypad.
public struct SerialSettings: Sendable, Hashable {
    public enum Parity: String, Sendable, Hashable, Codable { case none, even, odd }

    public static let supportedBaudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]

    public var baudRate: Int
    public var dataBits: Int
    public var parity: Parity
    public var stopBits: Int

    public init(baudRate: Int = 9600, dataBits: Int = 8, parity: Parity = .none, stopBits: Int = 1) {
        self.baudRate = baudRate
        self.dataBits = dataBits
        self.parity = parity
        self.stopBits = stopBits
    }
}

/// An open device file read on its own thread (reads block), delivered as byte chunks.
final class DeviceFile: Sendable {
    let path: String
    let chunks: AsyncStream<[UInt8]>
    private let descriptor: Int32
    private let stop = StopFlag()
    private let stopped: AsyncStream<Void>

    private init(path: String, descriptor: Int32, logger: Logger) {
        self.path = path
        self.descriptor = descriptor
        let (chunks, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(1024))
        let (stopped, stoppedContinuation) = AsyncStream.makeStream(of: Void.self)
        self.chunks = chunks
        self.stopped = stopped
        let stop = stop
        let thread = Thread {
            defer {
                continuation.finish()
                stoppedContinuation.finish()
            }
            Self.readLoop(descriptor: descriptor, path: path, stop: stop, logger: logger, continuation: continuation)
        }
        thread.name = "reader \(path)"
        thread.start()
    }

    private static func readLoop(descriptor: Int32, path: String, stop: StopFlag, logger: Logger,
                                 continuation: AsyncStream<[UInt8]>.Continuation) {
        var buffer = [UInt8](repeating: 0, count: 512)
        while !stop.isSet {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            // A short timeout keeps stop prompt without a wake-up pipe.
            let ready = poll(&poller, 1, 100)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.error("reader poll failed", metadata: ["path": "\(path)", "errno": "\(errno)"])
                return
            }
            guard ready > 0 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            if count > 0 {
                continuation.yield(Array(buffer[0..<count]))
            } else if count == 0 || errno == EAGAIN || errno == EINTR {
                // End of file (a writer went away) or a spurious wake-up: wait for more.
                usleep(50_000)
            } else {
                logger.error("reader device read failed; was it unplugged?", metadata: ["path": "\(path)", "errno": "\(errno)"])
                return
            }
        }
    }

    /// Opens a serial port raw with the given baud rate and framing.
    static func openSerial(path: String, settings: SerialSettings, logger: Logger) throws(ReaderError) -> DeviceFile {
        let speed = try baudConstant(settings.baudRate)
        let descriptor = try openDevice(path, flags: O_RDWR | O_NOCTTY | O_NONBLOCK, group: "dialout")
        var options = termios()
        guard tcgetattr(descriptor, &options) == 0 else {
            _ = Glibc.close(descriptor)
            throw .notATerminal(path: path)
        }
        cfmakeraw(&options)
        cfsetispeed(&options, speed)
        cfsetospeed(&options, speed)
        options.c_cflag &= ~(tcflag_t(CSIZE) | tcflag_t(PARENB) | tcflag_t(PARODD) | tcflag_t(CSTOPB) | tcflag_t(CRTSCTS))
        options.c_cflag |= tcflag_t(CLOCAL) | tcflag_t(CREAD) | tcflag_t(settings.dataBits == 7 ? CS7 : CS8)
        if settings.parity != .none { options.c_cflag |= tcflag_t(PARENB) }
        if settings.parity == .odd { options.c_cflag |= tcflag_t(PARODD) }
        if settings.stopBits == 2 { options.c_cflag |= tcflag_t(CSTOPB) }
        guard tcsetattr(descriptor, TCSANOW, &options) == 0 else {
            let code = errno
            _ = Glibc.close(descriptor)
            throw .ioFailed(path: path, operation: "configuring the serial port", errno: code)
        }
        return DeviceFile(path: path, descriptor: descriptor, logger: logger)
    }

    /// Opens /dev/input/eventN (or any file of input events), optionally with exclusive access so
    /// the card digits do not also land on a console.
    static func openInputDevice(path: String, grab: Bool, logger: Logger) throws(ReaderError) -> DeviceFile {
        let descriptor = try openDevice(path, flags: O_RDONLY | O_NONBLOCK, group: "input")
        if grab {
            let eviocgrab: UInt = 0x4004_4590  // _IOW('E', 0x90, int)
            guard ioctl(descriptor, eviocgrab, 1) == 0 else {
                let code = errno
                _ = Glibc.close(descriptor)
                throw .grabFailed(path: path, errno: code)
            }
        }
        return DeviceFile(path: path, descriptor: descriptor, logger: logger)
    }

    private static func openDevice(_ path: String, flags: Int32, group: String) throws(ReaderError) -> Int32 {
        let descriptor = open(path, flags)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT, ENODEV, ENXIO: throw .deviceMissing(path: path)
            case EACCES, EPERM: throw .permissionDenied(path: path, group: group)
            default: throw .ioFailed(path: path, operation: "open", errno: errno)
            }
        }
        return descriptor
    }

    private static func baudConstant(_ rate: Int) throws(ReaderError) -> speed_t {
        let constants: [Int: Int32] = [
            1200: B1200, 2400: B2400, 4800: B4800, 9600: B9600, 19200: B19200,
            38400: B38400, 57600: B57600, 115200: B115200,
        ]
        guard let constant = constants[rate] else { throw .unsupportedBaudRate(rate) }
        return speed_t(constant)
    }

    /// Stops the read thread and closes the descriptor.
    func close() async {
        stop.set()
        for await _ in stopped {}
        _ = Glibc.close(descriptor)
    }
}
