import LockerIO

/// How the site file's lines and compartments become LockerIO's line requests. Pure: values in, values out.
public enum HardwareLayout {
    /// The chip a line without one is looked up on; LockerIO opens lines on a named chip.
    public static let defaultChip = "gpiochip0"
    /// The label of every chip of the simulated board.
    public static let simulatedChipLabel = "edge-agent-simulator"

    /// The LockerIO request for a line as the site file resolved it against the board.
    public static func lineConfig(_ reference: GPIOLineReference) -> LineConfig {
        let selector: LineSelector =
            if let offset = reference.offset { .offset(UInt32(offset)) } else { .name(reference.lineName ?? reference.written) }
        return LineConfig(address: LineAddress(chip: reference.chip ?? defaultChip, line: selector), activeLow: reference.activeLow)
    }

    /// One compartment's lines and behaviour. The lock is a solenoid latch pulsed for `lockPulseMilliseconds`
    /// (the only lock the site file describes); the other timings are LockerIO's defaults.
    public static func compartmentConfig(_ compartment: CompartmentConfiguration) -> CompartmentHardwareConfig {
        CompartmentHardwareConfig(
            id: compartment.name,
            lockLine: lineConfig(compartment.lockLine),
            doorLine: lineConfig(compartment.doorSensorLine),
            relayLine: lineConfig(compartment.relayLine),
            lockFeedbackLine: compartment.lockFeedbackLine.map(lineConfig),
            indicatorLine: compartment.indicatorLine.map(lineConfig),
            lock: .pulse(length: .milliseconds(compartment.lockPulseMilliseconds)),
            relayAllowedWhileOpen: compartment.chargeWithDoorOpen)
    }

    /// The simulated board's chips, shaped by its board descriptor: every chip a line names, with as many
    /// lines as its highest offset needs, each named as the board names it.
    public static func simulatedChips(board: BoardDescriptor) -> [SimulatedChip] {
        var names: [String: [String?]] = [:]
        var order: [String] = []
        for line in board.lines {
            guard let offset = line.offset else { continue }
            let chip = line.chip ?? defaultChip
            if names[chip] == nil {
                names[chip] = []
                order.append(chip)
            }
            if names[chip]!.count <= offset { names[chip]! += Array(repeating: nil, count: offset + 1 - names[chip]!.count) }
            names[chip]![offset] = line.name
        }
        return order.map { SimulatedChip(name: $0, label: simulatedChipLabel, lineNames: names[$0]!) }
    }

    /// Every GPIO line the site uses, with its job, for the simulation API's line listing.
    public static func lineUses(_ configuration: SiteConfiguration) -> [LineUse] {
        var uses: [LineUse] = []
        for compartment in configuration.compartments {
            let owner = compartment.name
            uses.append(LineUse(role: .lock, owner: owner, reference: compartment.lockLine))
            uses.append(LineUse(role: .doorSensor, owner: owner, reference: compartment.doorSensorLine))
            uses.append(LineUse(role: .relay, owner: owner, reference: compartment.relayLine))
            if let line = compartment.lockFeedbackLine { uses.append(LineUse(role: .lockFeedback, owner: owner, reference: line)) }
            if let line = compartment.indicatorLine { uses.append(LineUse(role: .indicator, owner: owner, reference: line)) }
        }
        for reader in configuration.rfidReaders {
            if let line = reader.data0Line { uses.append(LineUse(role: .wiegandData0, owner: reader.name, reference: line)) }
            if let line = reader.data1Line { uses.append(LineUse(role: .wiegandData1, owner: reader.name, reference: line)) }
        }
        if let line = configuration.emergencyInputLine {
            uses.append(LineUse(role: .emergencyInput, owner: "site", reference: line))
        }
        return uses
    }
}

/// A line's job on this site.
public struct LineUse: Sendable, Equatable {
    public enum Role: String, Sendable, Codable, CaseIterable {
        case lock, doorSensor, relay, lockFeedback, indicator, wiegandData0, wiegandData1, emergencyInput

        public var isOutput: Bool { self == .lock || self == .relay || self == .indicator }
    }

    public var role: Role
    /// The compartment or reader the line belongs to ("site" for the emergency input).
    public var owner: String
    public var reference: GPIOLineReference

    public var config: LineConfig { HardwareLayout.lineConfig(reference) }
}
