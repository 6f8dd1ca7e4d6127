import Foundation
import LockerIO
import Testing
@testable import EdgeAgent

@Suite("Hardware assembly")
struct HardwareAssemblyTests {
    static func withSimulatedSite(_ body: (SiteConfiguration) async throws -> Void) async throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await body(try simulatedSite(stateFolder: folder))
    }

    /// The simulated site's configuration on a board that claims to be real, so the assembly takes the
    /// backend it is given (as on a board it would take libgpiod).
    static func realBoardSite(_ configuration: SiteConfiguration) -> SiteConfiguration {
        var site = configuration
        site.board.isSimulated = false
        return site
    }

    @Test("the simulator's 12 compartments come up closed, locked and latched, relays off, no faults")
    func simulatorStartsSafe() async throws {
        try await Self.withSimulatedSite { configuration in
            let hardware = SiteHardware(configuration: configuration, logger: quietLogger)
            try await hardware.start()
            #expect(hardware.compartments.count == 12)
            #expect(hardware.emergency != nil)
            for compartment in hardware.compartments {
                let status = try #require(await compartment.status)
                #expect(status.door == .closed)
                #expect(status.lock == .locked)
                #expect(status.lockFeedback == .locked)
                #expect(!status.relayOn)
                #expect(status.faults.isEmpty)
                #expect(!status.emergency)
            }
            let board = try #require(hardware.simulation)
            let lines = await board.lineLevels()
            #expect(lines.count == 63, "5 lines per compartment, 2 Wiegand data lines, the emergency input")
            #expect(lines.allSatisfy { $0.requested })
            #expect(lines.filter { $0.role == .relay || $0.role == .lock }.allSatisfy { !$0.active })

            await hardware.stop()
            let after = await board.lineLevels()
            #expect(after.allSatisfy { !$0.requested }, "every line is released on stop")
            #expect(after.filter { $0.role == .relay }.allSatisfy { !$0.active })
        }
    }

    @Test("site lines map to LockerIO requests: chip, offset or name, polarity, lock pulse and door policy")
    func lineMapping() async throws {
        try await Self.withSimulatedSite { configuration in
            let a1 = try #require(configuration.compartment(named: "A1"))
            let config = HardwareLayout.compartmentConfig(a1)
            #expect(config.id == "A1")
            #expect(config.lockLine == LineConfig(address: LineAddress(chip: "sim0", offset: 0)))
            #expect(config.doorLine == LineConfig(address: LineAddress(chip: "sim0", offset: 1)))
            #expect(config.relayLine == LineConfig(address: LineAddress(chip: "sim0", offset: 2)))
            #expect(config.lockFeedbackLine == LineConfig(address: LineAddress(chip: "sim0", offset: 3)))
            #expect(config.indicatorLine == LineConfig(address: LineAddress(chip: "sim0", offset: 4)))
            #expect(config.lock == .pulse(length: .milliseconds(a1.lockPulseMilliseconds)))
            #expect(config.relayAllowedWhileOpen == a1.chargeWithDoorOpen)

            let byName = GPIOLineReference(written: "DI1", boardLine: "DI1", chip: nil, offset: nil, lineName: "GPIO16", activeLow: true)
            #expect(HardwareLayout.lineConfig(byName)
                == LineConfig(address: LineAddress(chip: HardwareLayout.defaultChip, line: .name("GPIO16")), activeLow: true))

            let chips = HardwareLayout.simulatedChips(board: configuration.board)
            #expect(chips.map(\.name) == ["sim0"])
            #expect(chips.first?.lineNames.count == 63)
            #expect(chips.first?.lineNames[62] == "EMERGENCY")
        }
    }

    @Test("a line that cannot be requested stops start-up with LockerIO's message and releases every line")
    func failedRequestStopsStartUp() async throws {
        try await Self.withSimulatedSite { configuration in
            let gpio = SimulatedGPIO(chips: HardwareLayout.simulatedChips(board: configuration.board))
            // Someone else holds A3's relay line.
            let held = try await gpio.requestOutput(
                LineConfig(address: LineAddress(chip: "sim0", offset: 12)), initial: .inactive, consumer: "other-program")
            let hardware = SiteHardware(configuration: Self.realBoardSite(configuration), backend: gpio, logger: quietLogger)
            #expect(hardware.simulation == nil)
            await #expect(throws: SiteHardwareError.compartment(
                name: "A3", .lineBusy(line: LineAddress(chip: "sim0", offset: 12), consumer: "other-program"))
            ) {
                try await hardware.start()
            }
            let error = SiteHardwareError.compartment(
                name: "A3", .lineBusy(line: LineAddress(chip: "sim0", offset: 12), consumer: "other-program"))
            #expect(error.description.contains("compartment A3"))
            #expect(error.description.contains("held by \"other-program\""))
            let requested = await gpio.snapshot().filter { $0.direction != nil }
            #expect(requested.map(\.offset) == [12], "only the other program's line is still held")
            await held.release()
        }
    }

    @Test("a missing chip names the chips that exist")
    func missingChip() async throws {
        try await Self.withSimulatedSite { configuration in
            let gpio = SimulatedGPIO(chips: [SimulatedChip(name: "gpiochip7", label: "other", lineCount: 8)])
            let hardware = SiteHardware(configuration: Self.realBoardSite(configuration), backend: gpio, logger: quietLogger)
            do throws(SiteHardwareError) {
                try await hardware.start()
                Issue.record("start-up should have failed")
            } catch {
                #expect(error.description.hasPrefix("compartment A1: GPIO chip 'sim0' not found"))
                #expect(error.description.contains("gpiochip7"))
            }
        }
    }
}
