import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a serial port (or pseudo-terminal) could not be used. Messages name the device and the fix.
public enum SerialPortError: Error, Sendable, Equatable, CustomStringConvertible {
    case open(path: String, reason: String)
    case configure(path: String, reason: String)
    case unsupportedBaud(Int)
    case write(path: String, reason: String)
    case closed(path: String)
    case pseudoTerminal(reason: String)

    public var description: String {
        switch self {
        case let .open(path, reason):
            "cannot open serial port \(path): \(reason); check the device path and that the user is in the dialout group"
        case let .configure(path, reason): "cannot configure serial port \(path): \(reason)"
        case let .unsupportedBaud(baud): "baud rate \(baud) is not supported; use 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200 or 230400"
        case let .write(path, reason): "write to serial port \(path) failed: \(reason)"
        case let .closed(path): "serial port \(path) is closed"
        case let .pseudoTerminal(reason): "cannot create a pseudo-terminal for the simulated modem: \(reason)"
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Reads a file descriptor on a thread of its own (blocking reads must not hold one of the few
/// cooperative threads) and yields what arrives. `poll` with a short timeout lets it notice
/// `stop()`. On a pseudo-terminal master, EIO means "no one has the other end open": with
/// `toleratesHangup` the reader waits for the peer instead of finishing.
final class FileDescriptorReader: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var stopped = false
    private let toleratesHangup: Bool
    let bytes: AsyncStream<[UInt8]>
    private let continuation: AsyncStream<[UInt8]>.Continuation

    init(fd: Int32, toleratesHangup: Bool = false) {
        self.fd = fd
        self.toleratesHangup = toleratesHangup
        (bytes, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    }

    func start(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !isStopped {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 { continue }
            if descriptor.revents & Int16(POLLHUP | POLLERR) != 0 && descriptor.revents & Int16(POLLIN) == 0 {
                if toleratesHangup { usleep(50_000); continue }
                break
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                continuation.yield(Array(buffer[0..<count]))
            } else if count == 0 {
                if toleratesHangup { usleep(50_000); continue }
                break
            } else if errno == EAGAIN || errno == EINTR {
                continue
            } else if errno == EIO && toleratesHangup {
                usleep(50_000)
            } else {
                break
            }
        }
        continuation.finish()
    }
}

func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// Opens a new pseudo-terminal pair: the master descriptor and the path of its slave
/// (/dev/ptmx, unlocked and numbered with the Linux ioctls; posix_openpt is not imported).
func openPseudoTerminal() throws(SerialPortError) -> (master: Int32, slavePath: String) {
    let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
    guard master >= 0 else { throw .pseudoTerminal(reason: SerialPortError.errnoText()) }
    var unlock: Int32 = 0
    var number: UInt32 = 0
    let setLock: UInt = 0x4004_5431 // TIOCSPTLCK
    let getNumber: UInt = 0x8004_5430 // TIOCGPTN
    guard ioctl(master, setLock, &unlock) == 0, ioctl(master, getNumber, &number) == 0 else {
        let reason = SerialPortError.errnoText()
        closeDescriptor(master)
        throw .pseudoTerminal(reason: reason)
    }
    return (master, "/dev/pts/\(number)")
}

/// Writes all of `bytes` to `fd`, retrying short writes.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR || errno == EAGAIN { usleep(1_000); continue }
            return false
        }
        offset += written
    }
    return true
}

/// A serial port in raw mode (8N1, no flow control) as the byte pipe to a GSM modem. Used for
/// the modem on a board (/dev/ttyUSB2) and the simulated modem's pseudo-terminal alike.
public final class SerialModemPort: ModemTransport, @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let reader: FileDescriptorReader
    private let lock = NSLock()
    private var isOpen = true
    public var incoming: AsyncStream<[UInt8]> { reader.bytes }

    public init(path: String, baud: Int = 115_200) throws(SerialPortError) {
        let speed = try Self.speed(for: baud)
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw .open(path: path, reason: SerialPortError.errnoText()) }
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else {
            let reason = SerialPortError.errnoText()
            closeDescriptor(fd)
            throw .configure(path: path, reason: reason)
        }
        cfmakeraw(&settings)
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        settings.c_cflag &= ~tcflag_t(CSTOPB | PARENB)
        cfsetispeed(&settings, speed)
        cfsetospeed(&settings, speed)
        guard tcsetattr(fd, TCSANOW, &settings) == 0 else {
            let reason = SerialPortError.errnoText()
            closeDescriptor(fd)
            throw .configure(path: path, reason: reason)
        }
        tcflush(fd, TCIOFLUSH)
        self.path = path
        self.fd = fd
        reader = FileDescriptorReader(fd: fd)
        reader.start(name: "serial \(path)")
    }

    public func write(_ bytes: [UInt8]) async throws {
        try writeNow(bytes)
    }

    private func writeNow(_ bytes: [UInt8]) throws(SerialPortError) {
        let failure: SerialPortError? = lock.withLock {
            guard isOpen else { return .closed(path: path) }
            return writeAll(fd, bytes) ? nil : .write(path: path, reason: SerialPortError.errnoText())
        }
        if let failure { throw failure }
    }

    /// Closes the port; `incoming` finishes shortly after.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard isOpen else { return }
        isOpen = false
        reader.stop()
        // The reader polls with a timeout, so the descriptor is closed after it let go of it.
        let fd = fd
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { closeDescriptor(fd) }
    }

    deinit { close() }

    static func speed(for baud: Int) throws(SerialPortError) -> speed_t {
        switch baud {
        case 1200: speed_t(B1200)
        case 2400: speed_t(B2400)
        case 4800: speed_t(B4800)
        case 9600: speed_t(B9600)
        case 19200: speed_t(B19200)
        case 38400: speed_t(B38400)
        case 57600: speed_t(B57600)
        case 115_200: speed_t(B115200)
        case 230_400: speed_t(B230400)
        default: throw .unsupportedBaud(baud)
        }
    }
}
