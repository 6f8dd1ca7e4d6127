/// How to reach one physical bus.
public struct BusConfiguration: Sendable, Hashable, CustomStringConvertible {
    public enum Link: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case rtu(SerialSettings)
    }

    public var link: Link
    /// How long to wait for the first byte of a response.
    public var responseTimeout: Duration
    /// How long to wait between bytes of one response.
    public var byteTimeout: Duration
    /// Extra attempts after a timeout or CRC error (never after an exception reply).
    public var retries: Int
    /// Quiet time between two requests on the bus (slow RS-485 meters need it).
    public var interRequestGap: Duration
    /// Reopen backoff after the bus drops: starts at `initial`, doubles up to `maximum`.
    public var reconnectBackoff: Backoff

    public struct Backoff: Sendable, Hashable {
        public var initial: Duration
        public var maximum: Duration
        public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
            self.initial = initial
            self.maximum = maximum
        }
    }

    public init(
        link: Link, responseTimeout: Duration = .milliseconds(1000), byteTimeout: Duration = .milliseconds(500),
        retries: Int = 1, interRequestGap: Duration = .zero, reconnectBackoff: Backoff = .init()
    ) {
        self.link = link
        self.responseTimeout = responseTimeout
        self.byteTimeout = byteTimeout
        self.retries = retries
        self.interRequestGap = interRequestGap
        self.reconnectBackoff = reconnectBackoff
    }

    /// Short name used in error messages and logs, e.g. "tcp://10.0.0.5:502".
    public var description: String {
        switch link {
        case let .tcp(host, port): "tcp://\(host):\(port)"
        case let .rtu(serial): "rtu://\(serial.device)"
        }
    }
}

/// Serial line settings for Modbus RTU.
public struct SerialSettings: Sendable, Hashable {
    public enum Parity: String, Sendable, Hashable, CaseIterable {
        case none = "N", even = "E", odd = "O"
    }

    public var device: String
    public var baud: Int
    public var parity: Parity
    public var dataBits: Int
    public var stopBits: Int
    /// Ask the driver for RS-485 mode (TIOCSRS485); ignored where the driver lacks it.
    public var rs485: Bool

    public init(device: String, baud: Int = 9600, parity: Parity = .none, dataBits: Int = 8, stopBits: Int = 1, rs485: Bool = false) {
        self.device = device
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
        self.rs485 = rs485
    }
}
