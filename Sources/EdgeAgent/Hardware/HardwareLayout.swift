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

    /// One compartment's lines and behaviour: its lines, and the locker-wide lock kind and timings of the
    /// site file's `compartmentHardware` (a pulse lock is pulsed for the compartment's `lockPulseMilliseconds`).
    public static func compartmentConfig(
        _ compartment: CompartmentConfiguration, settings: CompartmentHardwareSettings = CompartmentHardwareSettings()
    ) -> CompartmentHardwareConfig {
        let lock: LockActuator = switch settings.lock {
        case .pulse: .pulse(length: .milliseconds(compartment.lockPulseMilliseconds))
        case .hold: .hold(lockedWhenEnergized: settings.holdLockedWhenEnergized)
        }
        return CompartmentHardwareConfig(
            id: compartment.name,
            lockLine: lineConfig(compartment.lockLine),
            doorLine: lineConfig(compartment.doorSensorLine),
            relayLine: lineConfig(compartment.relayLine),
            lockFeedbackLine: compartment.lockFeedbackLine.map(lineConfig),
            indicatorLine: compartment.indicatorLine.map(lineConfig),
            lock: lock,
            unlockConfirmTimeout: .milliseconds(Int64(settings.unlockConfirmSeconds * 1000)),
            unlockRetries: settings.unlockRetries,
            relockIfUnopenedAfter: .milliseconds(Int64(settings.relockIfUnopenedSeconds * 1000)),
            doorLeftOpenAfter: .milliseconds(Int64(settings.doorLeftOpenSeconds * 1000)),
            relayAllowedWhileOpen: compartment.chargeWithDoorOpen,
            debounce: .milliseconds(settings.debounceMilliseconds))
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

    /// How a card reader prints card numbers, as LockerIO reads them.
    public static func uidFormat(_ format: RFIDReaderConfiguration.UIDFormat?, default fallback: UIDTextFormat) -> UIDTextFormat {
        switch format {
        case .hex: .hex
        case .decimal: .decimal
        case nil: fallback
        }
    }

    /// A keypad's end key and timeout, as LockerIO's keypad assembler takes them.
    public static func keypadSettings(_ keypad: KeypadConfiguration) -> KeypadAssembler.Settings {
        let endKeys: Set<ReaderKey> = keypad.endKey == "enter"
            ? [.enter] : [.character(keypad.endKey.first ?? "#"), .enter]
        return KeypadAssembler.Settings(endKeys: endKeys, timeout: .milliseconds(Int64(keypad.entryTimeoutSeconds * 1000)))
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
