/// What a board offers a site: named GPIO lines, serial ports and Modbus buses.
/// A site file refers to these names (`lockLine: K1`, `rtu: {port: RS485}`, `bus: meters`).
public struct BoardDescriptor: Sendable, Equatable, Codable {
    public struct Line: Sendable, Equatable, Codable {
        public enum Direction: String, Sendable, Equatable, Codable, CaseIterable {
            case input, output
        }

        /// Name sites use, e.g. `K1`, `DI3`, `GPIO17`.
        public var name: String
        /// Chip as libgpiod accepts it (`gpiochip0`, `/dev/gpiochip0`, a label); nil: any chip (find by line name).
        public var chip: String?
        public var offset: Int?
        /// Kernel line name, for boards whose chip numbering differs between models (Pi 4 vs Pi 5).
        public var lineName: String?
        /// nil: the board does not restrict the line.
        public var direction: Direction?
        public var activeLow: Bool
        public var description: String?
    }

    public struct SerialPort: Sendable, Equatable, Codable {
        public var name: String
        public var device: String
        public var description: String?
    }

    public var name: String
    public var description: String?
    /// GPIO and Modbus are simulated in-process.
    public var isSimulated: Bool
    public var lines: [Line]
    public var serialPorts: [SerialPort]
    /// Buses every site on this board gets (e.g. the simulator's Modbus TCP bus).
    public var buses: [SiteBusConfiguration]

    public func line(named name: String) -> Line? { lines.first { $0.name == name } }
    public func serialPort(named name: String) -> SerialPort? { serialPorts.first { $0.name == name } }
}
