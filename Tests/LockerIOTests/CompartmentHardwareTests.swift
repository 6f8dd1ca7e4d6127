import Testing
@testable import LockerIO

/// End to end through `CompartmentHardware` on the simulated backend, as the daemon's local
/// API drives it on a laptop. Door sensor: active-low reed contact (low = closed).
@Suite("Compartment hardware on simulated GPIO")
struct CompartmentHardwareTests {
    static let chip = "gpiochip0"

    func config(lock: LockActuator = .pulse(length: .milliseconds(20)), feedback: Bool = false) -> CompartmentHardwareConfig {
        CompartmentHardwareConfig(
            id: "A1",
            lockLine: LineConfig(address: .init(chip: Self.chip, offset: 5)),
            doorLine: LineConfig(address: .init(chip: Self.chip, offset: 6), activeLow: true),
            relayLine: LineConfig(address: .init(chip: Self.chip, offset: 12)),
            lockFeedbackLine: feedback ? LineConfig(address: .init(chip: Self.chip, offset: 7)) : nil,
            indicatorLine: LineConfig(address: .init(chip: Self.chip, offset: 13)),
            lock: lock, unlockConfirmTimeout: .seconds(5), debounce: .milliseconds(5))
    }

    @Test("setting the door input emits a state change, and a forced door is reported")
    func doorInputReachesStream() async throws {
        let gpio = SimulatedGPIO()
        try await gpio.setInput(chip: Self.chip, line: .offset(6), level: .low)  // closed
        let hardware = CompartmentHardware(config: config(), gpio: gpio)
        try await hardware.start()
        let statuses = await hardware.statusChanges()
        let events = await hardware.events()
        #expect(try await first(statuses) { _ in true }.door == .closed)

        try await gpio.setInput(chip: Self.chip, line: .offset(6), level: .high)  // opened by force
        let opened = try await first(statuses, "door open") { $0.door == .open }
        #expect(opened.faults == [.forcedOpen])
        #expect(opened.indicator == .fault)
        _ = try await first(events, "forced-open event") { $0.event == .forcedOpen && $0.compartmentID == "A1" }
        await hardware.stop()
    }

    @Test("start-up drives outputs to the safe state; a restart never unlocks a held lock")
    func safeStateOnStart() async throws {
        let gpio = SimulatedGPIO()
        let hold = config(lock: .hold(lockedWhenEnergized: true))
        let first = CompartmentHardware(config: hold, gpio: gpio)
        try await first.start()
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(5)) == .active)
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(12)) == .inactive)
        #expect(await first.setRelay(on: true))
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(12)) == .active)
        await first.stop()
        // Stop leaves the relay off and every line free for the restart.
        #expect(await gpio.snapshot().allSatisfy { $0.direction == nil })
        #expect(try await gpio.electricalLevel(chip: Self.chip, line: .offset(12)) == .low)

        let restarted = CompartmentHardware(config: hold, gpio: gpio)
        try await restarted.start()
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(5)) == .active)
        #expect(await restarted.status?.lock == .locked)
        #expect(await restarted.status?.relayOn == false)
        await restarted.stop()
    }

    @Test("an unlock pulses the lock and the door opening confirms it")
    func unlockThroughLines() async throws {
        let gpio = SimulatedGPIO()
        let hardware = CompartmentHardware(config: config(lock: .pulse(length: .seconds(30))), gpio: gpio)
        try await hardware.start()
        let events = await hardware.events()
        await hardware.unlock()
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(5)) == .active)
        try await gpio.setInput(chip: Self.chip, line: .offset(6), level: .high)
        _ = try await first(events, "unlock confirmation") { $0.event == .unlockConfirmed(.doorOpened) }
        #expect(await hardware.status?.faults.isEmpty == true)
        await hardware.stop()
        // Stop ends the pulse.
        #expect(try await gpio.electricalLevel(chip: Self.chip, line: .offset(5)) == .low)
    }

    @Test("a busy line stops start-up with the holder's name and releases what was requested")
    func busyLineStopsStartup() async throws {
        let gpio = SimulatedGPIO()
        let other = try await gpio.requestInput(LineConfig(address: .init(chip: Self.chip, offset: 12)), consumer: "pigpiod")
        let hardware = CompartmentHardware(config: config(), gpio: gpio)
        await #expect(throws: GPIOError.lineBusy(line: .init(chip: Self.chip, offset: 12), consumer: "pigpiod")) {
            try await hardware.start()
        }
        #expect(await gpio.snapshot().filter { $0.direction != nil }.map(\.offset) == [12])
        #expect(await hardware.status == nil)
        await other.release()
    }

    @Test("the emergency input unlocks every compartment and switches every relay off")
    func emergencyInput() async throws {
        let gpio = SimulatedGPIO()
        var second = config(lock: .hold(lockedWhenEnergized: false))
        second.id = "A2"
        second.lockLine.address.line = .offset(20)
        second.doorLine.address.line = .offset(21)
        second.relayLine?.address.line = .offset(22)
        second.indicatorLine = nil
        let a1 = CompartmentHardware(config: config(lock: .pulse(length: .seconds(30))), gpio: gpio)
        let a2 = CompartmentHardware(config: second, gpio: gpio)
        try await a1.start()
        try await a2.start()
        #expect(await a1.setRelay(on: true))
        #expect(await a2.setRelay(on: true))
        let a2Events = await a2.events()

        let alarm = EmergencyInput(line: LineConfig(address: .init(chip: Self.chip, offset: 26)), gpio: gpio, debounce: .milliseconds(5))
        try await alarm.start(driving: [a1, a2])
        let changes = await alarm.changes()
        try await gpio.setInput(chip: Self.chip, line: .offset(26), level: .high)
        _ = try await first(changes, "emergency active") { $0 }
        _ = try await first(a2Events, "emergency event") { $0.event == .emergencyUnlocked }

        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(5)) == .active)   // pulse lock pulsing
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(20)) == .active)  // hold lock released
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(12)) == .inactive)
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(22)) == .inactive)
        #expect(await a1.status?.emergency == true)
        #expect(await a1.setRelay(on: true) == false)

        try await gpio.setInput(chip: Self.chip, line: .offset(26), level: .low)
        _ = try await first(a2Events, "emergency cleared") { $0.event == .relocked }
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(20)) == .inactive)
        await alarm.stop()
        await a1.stop()
        await a2.stop()
    }

    @Test("lock feedback confirms an unlock through the simulated line")
    func feedbackLine() async throws {
        let gpio = SimulatedGPIO()
        try await gpio.setInput(chip: Self.chip, line: .offset(7), level: .high)  // bolt engaged
        let hardware = CompartmentHardware(config: config(lock: .hold(lockedWhenEnergized: false), feedback: true), gpio: gpio)
        try await hardware.start()
        #expect(await hardware.status?.lockFeedback == .locked)
        let events = await hardware.events()
        await hardware.unlock()
        try await gpio.setInput(chip: Self.chip, line: .offset(7), level: .low)
        _ = try await first(events, "feedback confirmation") { $0.event == .unlockConfirmed(.feedback) }
        #expect(await hardware.status?.lock == .unlocked)
        await hardware.stop()
    }

    @Test("an unconfirmed unlock is retried on the actor's timers and then reported jammed")
    func jammedThroughTimers() async throws {
        let gpio = SimulatedGPIO()
        var jamming = config(lock: .pulse(length: .milliseconds(10)))
        jamming.unlockConfirmTimeout = .milliseconds(40)
        jamming.unlockRetries = 1
        let hardware = CompartmentHardware(config: jamming, gpio: gpio)
        try await hardware.start()
        let events = await hardware.events()
        await hardware.unlock()
        _ = try await first(events, "retry") { $0.event == .unlockRetried(attempt: 2) }
        _ = try await first(events, "jam") { $0.event == .lockJammed(attempts: 2) }
        #expect(await hardware.status?.faults == [.jammedLock])
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(5)) == .inactive)
        await hardware.stop()
    }

    @Test("a door open at start-up is reported as left open by the actor's timer")
    func leftOpenFromStart() async throws {
        let gpio = SimulatedGPIO()
        try await gpio.setInput(chip: Self.chip, line: .offset(6), level: .high)  // open
        var leftOpen = config()
        leftOpen.doorLeftOpenAfter = .milliseconds(30)
        let hardware = CompartmentHardware(config: leftOpen, gpio: gpio)
        let events = await hardware.events()
        try await hardware.start()
        #expect(await hardware.status?.door == .open)
        #expect(await hardware.status?.faults.isEmpty == true)
        let reported = try await first(events, "door left open") {
            if case .doorLeftOpen = $0.event { true } else { false }
        }
        #expect(reported.compartmentID == "A1")
        await hardware.stop()
    }

    @Test("an emergency input already active at start-up unlocks at once")
    func emergencyActiveAtStart() async throws {
        let gpio = SimulatedGPIO()
        try await gpio.setInput(chip: Self.chip, line: .offset(26), level: .high)
        let hardware = CompartmentHardware(config: config(lock: .hold(lockedWhenEnergized: true)), gpio: gpio)
        try await hardware.start()
        let alarm = EmergencyInput(line: LineConfig(address: .init(chip: Self.chip, offset: 26)), gpio: gpio)
        try await alarm.start(driving: [hardware])
        #expect(await alarm.isActive)
        #expect(await hardware.status?.emergency == true)
        #expect(try await gpio.outputLevel(chip: Self.chip, line: .offset(5)) == .inactive)
        await alarm.stop()
        await hardware.stop()
    }
}
