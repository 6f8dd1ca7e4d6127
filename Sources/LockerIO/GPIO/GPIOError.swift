/// Why a GPIO operation failed, phrased so the person at the board knows what to do next.
public enum GPIOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No chip matches the name, path, number or label.
    case chipMissing(chip: String, availableChips: [String])
    /// The path exists but is not a GPIO character device.
    case notAGPIOChip(chip: String)
    case lineOutOfRange(chip: String, offset: UInt32, lineCount: UInt32)
    case lineNameNotFound(chip: String, name: String)
    /// Another process (or another part of this one) holds the line.
    case lineBusy(line: LineAddress, consumer: String?)
    case permissionDenied(path: String, group: String)
    case lineReleased(line: LineAddress)
    /// The simulator was asked to set the level of a line that an output drives.
    case notAnInput(line: LineAddress, consumer: String?)
    case ioFailed(line: LineAddress, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case let .chipMissing(chip, available):
            let found = available.isEmpty
                ? "this machine has no /dev/gpiochip* devices at all"
                : "chips present: \(available.joined(separator: ", "))"
            return "GPIO chip '\(chip)' not found (\(found)). Check the chip name in the board descriptor "
                + "against `gpiodetect`, and that the board's GPIO driver is loaded (kernel and device tree)."
        case let .notAGPIOChip(chip):
            return "'\(chip)' is not a GPIO chip device. Use a /dev/gpiochipN path, a chip name or a label "
                + "as listed by `gpiodetect`."
        case let .lineOutOfRange(chip, offset, count):
            return "GPIO line offset \(offset) is out of range on \(chip), which has \(count) lines "
                + "(0...\(max(Int(count) - 1, 0))). Check the pin in the board descriptor against `gpioinfo \(chip)`."
        case let .lineNameNotFound(chip, name):
            return "No GPIO line named \"\(name)\" on \(chip). List the line names with `gpioinfo \(chip)`."
        case let .lineBusy(line, consumer):
            let holder = consumer.map { "\"\($0)\"" } ?? "another consumer"
            return "GPIO \(line) is busy: it is held by \(holder). Stop that program or free the pin "
                + "(for example a device-tree overlay that claims it), then start again."
        case let .permissionDenied(path, group):
            return "Permission denied opening \(path). Add the service user to the '\(group)' group "
                + "(sudo usermod -aG \(group) <user>) and log in again or restart the service."
        case let .lineReleased(line):
            return "GPIO \(line) was already released; it can no longer be used."
        case let .notAnInput(line, consumer):
            return "GPIO \(line) is an output driven by \(consumer ?? "this daemon"); only input lines "
                + "(door sensors, lock feedback, emergency, reader data lines) can be set in the simulator."
        case let .ioFailed(line, operation, code):
            return "GPIO \(operation) on \(line) failed (errno \(code)). Check the wiring and `dmesg`."
        }
    }
}
