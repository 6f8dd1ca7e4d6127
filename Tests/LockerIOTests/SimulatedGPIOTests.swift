import Testing
@testable import LockerIO

@Suite("Simulated GPIO")
struct SimulatedGPIOTests {
    let chip = SimulatedChip(name: "gpiochip0", label: "sim-bank", lineNames: ["DOOR_1", "LOCK_1", nil, nil])

    @Test("outputs start at their initial level and follow set(), honouring active-low")
    func outputs() async throws {
        let gpio = SimulatedGPIO(chips: [chip])
        let lock = try await gpio.requestOutput(LineConfig(address: .init(chip: "gpiochip0", line: .name("LOCK_1")), activeLow: true),
                                                initial: .inactive, consumer: "test")
        #expect(try await gpio.outputLevel(chip: "gpiochip0", line: .offset(1)) == .inactive)
        #expect(try await gpio.electricalLevel(chip: "gpiochip0", line: .offset(1)) == .high)
        try await lock.set(.active)
        #expect(try await gpio.outputLevel(chip: "gpiochip0", line: .offset(1)) == .active)
        #expect(try await gpio.electricalLevel(chip: "gpiochip0", line: .offset(1)) == .low)
    }

    @Test("setting an input emits an edge with its logical level and is readable")
    func inputs() async throws {
        let gpio = SimulatedGPIO(chips: [chip])
        let door = try await gpio.requestInput(LineConfig(address: .init(chip: "sim-bank", offset: 0), activeLow: true), consumer: "test")
        #expect(try await door.read() == .active)  // low electrical level, active-low
        try await gpio.setInput(chip: "gpiochip0", line: .name("DOOR_1"), level: .high)
        let edge = try await first(door.edges) { _ in true }
        #expect(edge.level == .inactive)
        #expect(try await door.read() == .inactive)
        try await gpio.setInput(chip: "0", line: .offset(0), logical: .active)
        #expect(try await gpio.electricalLevel(chip: "gpiochip0", line: .offset(0)) == .low)
    }

    @Test("the simulator gives the same errors as a board")
    func errors() async throws {
        let gpio = SimulatedGPIO(chips: [chip])
        await #expect(throws: GPIOError.chipMissing(chip: "gpiochip7", availableChips: ["gpiochip0"])) {
            _ = try await gpio.requestInput(LineConfig(address: .init(chip: "gpiochip7", offset: 0)), consumer: "test")
        }
        await #expect(throws: GPIOError.lineOutOfRange(chip: "gpiochip0", offset: 4, lineCount: 4)) {
            _ = try await gpio.requestInput(LineConfig(address: .init(chip: "gpiochip0", offset: 4)), consumer: "test")
        }
        await #expect(throws: GPIOError.lineNameNotFound(chip: "gpiochip0", name: "RELAY_9")) {
            _ = try await gpio.requestInput(LineConfig(address: .init(chip: "gpiochip0", line: .name("RELAY_9"))), consumer: "test")
        }
        let held = try await gpio.requestOutput(LineConfig(address: .init(chip: "gpiochip0", offset: 2)), initial: .inactive, consumer: "edge-agent:A1")
        await #expect(throws: GPIOError.lineBusy(line: .init(chip: "gpiochip0", offset: 2), consumer: "edge-agent:A1")) {
            _ = try await gpio.requestInput(LineConfig(address: .init(chip: "gpiochip0", offset: 2)), consumer: "edge-agent:A2")
        }
        await #expect(throws: GPIOError.notAnInput(line: .init(chip: "gpiochip0", offset: 2), consumer: "edge-agent:A1")) {
            try await gpio.setInput(chip: "gpiochip0", line: .offset(2), level: .high)
        }
        await held.release()
        await #expect(throws: GPIOError.lineReleased(line: .init(chip: "gpiochip0", offset: 2))) { try await held.set(.active) }
        // Released lines can be requested again.
        _ = try await gpio.requestInput(LineConfig(address: .init(chip: "gpiochip0", offset: 2)), consumer: "edge-agent:A2")
    }

    @Test("the snapshot lists every line with its requester")
    func snapshot() async throws {
        let gpio = SimulatedGPIO(chips: [chip])
        _ = try await gpio.requestOutput(LineConfig(address: .init(chip: "gpiochip0", offset: 1)), initial: .active, consumer: "c")
        let lines = await gpio.snapshot()
        #expect(lines.count == 4)
        #expect(lines[1] == SimulatedLineSnapshot(chip: "gpiochip0", offset: 1, name: "LOCK_1", electrical: .high,
                                                  direction: .output, consumer: "c", activeLow: false, logical: .active))
        #expect(lines[0].direction == nil && lines[0].name == "DOOR_1")
    }

    @Test("every error message says what to do")
    func messages() {
        #expect(GPIOError.chipMissing(chip: "gpiochip0", availableChips: []).description.contains("gpiodetect"))
        #expect(GPIOError.lineBusy(line: .init(chip: "gpiochip0", offset: 17), consumer: "sysfs").description.contains("\"sysfs\""))
        #expect(GPIOError.permissionDenied(path: "/dev/gpiochip0", group: "gpio").description.contains("usermod -aG gpio"))
        #expect(GPIOError.lineOutOfRange(chip: "gpiochip0", offset: 60, lineCount: 58).description.contains("0...57"))
    }
}

@Suite("libgpiod backend on this machine")
struct LibgpiodBackendTests {
    @Test("a missing chip is reported by name with what to check")
    func chipMissing() async throws {
        // Skip only where a chip really exists (a developer's board); the CI machine has none.
        try #require(LibgpiodBackend.presentChips().isEmpty || !LibgpiodBackend.presentChips().contains("gpiochip0"))
        let backend: any GPIOBackend = LibgpiodBackend()
        do {
            _ = try await backend.requestOutput(LineConfig(address: .init(chip: "gpiochip0", offset: 17)), initial: .inactive, consumer: "test")
            Issue.record("opening gpiochip0 succeeded on a machine without it")
        } catch {
            guard case .chipMissing(let chip, _) = error else {
                Issue.record("expected chipMissing, got \(error)")
                return
            }
            #expect(chip == "gpiochip0")
            #expect(error.description.contains("'gpiochip0'"))
            #expect(error.description.contains("gpiodetect"))
        }
    }

    @Test("a missing chip by path or label is reported the same way", arguments: ["/dev/gpiochip9", "pinctrl-nonexistent"])
    func otherNames(name: String) async {
        let backend: any GPIOBackend = LibgpiodBackend()
        await #expect(throws: GPIOError.chipMissing(chip: name, availableChips: LibgpiodBackend.presentChips())) {
            _ = try await backend.requestInput(LineConfig(address: .init(chip: name, offset: 0)), consumer: "test")
        }
    }

    @Test("a file that is not a GPIO chip is named as such")
    func notAChip() async {
        let backend: any GPIOBackend = LibgpiodBackend()
        await #expect(throws: GPIOError.notAGPIOChip(chip: "/dev/null")) {
            _ = try await backend.requestInput(LineConfig(address: .init(chip: "/dev/null", offset: 0)), consumer: "test")
        }
    }
}
