import LockerIO
import Testing
@testable import EdgeAgent

@Suite("Configuration: compartment hardware and keypads")
struct ConfigurationHardwareSettingsTests {
    @Test("without compartmentHardware the locker has pulse locks and LockerIO's default timings")
    func defaults() throws {
        let site = try ConfigurationFixtures.load(ConfigurationFixtures.validSite)
        #expect(site.compartmentHardware == CompartmentHardwareSettings())
        let config = HardwareLayout.compartmentConfig(site.compartments[0], settings: site.compartmentHardware)
        #expect(config.lock == .pulse(length: .milliseconds(site.compartments[0].lockPulseMilliseconds)))
        #expect(config.unlockConfirmTimeout == .seconds(3))
        #expect(config.unlockRetries == 2)
        #expect(config.debounce == .milliseconds(30))
        #expect(site.keypads.isEmpty)
    }

    @Test("hold locks, timings and debounce reach LockerIO as written")
    func holdLockAndTimings() throws {
        let yaml = ConfigurationFixtures.validSite + """
            compartmentHardware:
              lock: hold
              holdLockedWhenEnergized: false
              unlockConfirmSeconds: 1.5
              unlockRetries: 4
              relockIfUnopenedSeconds: 30
              doorLeftOpenSeconds: 300
              debounceMilliseconds: 50

            """
        let site = try ConfigurationFixtures.load(yaml)
        let config = HardwareLayout.compartmentConfig(site.compartments[1], settings: site.compartmentHardware)
        #expect(config.lock == .hold(lockedWhenEnergized: false))
        #expect(config.unlockConfirmTimeout == .milliseconds(1500))
        #expect(config.unlockRetries == 4)
        #expect(config.relockIfUnopenedAfter == .seconds(30))
        #expect(config.doorLeftOpenAfter == .seconds(300))
        #expect(config.debounce == .milliseconds(50))
    }

    @Test("bad hardware settings are reported with their path", arguments: [
        ("  lock: magnet\n", "compartmentHardware.lock"),
        ("  unlockRetries: 50\n", "compartmentHardware.unlockRetries"),
        ("  debounceMilliseconds: 5000\n", "compartmentHardware.debounceMilliseconds"),
        ("  doorLeftOpenSeconds: 1\n", "compartmentHardware.doorLeftOpenSeconds"),
        ("  lockPulse: 300\n", "compartmentHardware.lockPulse"),
    ])
    func badSettings(line: String, path: String) {
        let problems = ConfigurationFixtures.problems(ConfigurationFixtures.validSite + "compartmentHardware:\n" + line)
        #expect(problems.map(\.path) == [path], "\(problems)")
    }

    @Test("keypads: kind, device, compartment, end key and timeout")
    func keypads() throws {
        let yaml = ConfigurationFixtures.validSite + """
            keypads:
              - {name: front, kind: input-device, device: /dev/input/event3, endKey: enter, entryTimeoutSeconds: 20}
              - {name: a1-pad, kind: serial, device: /dev/ttyUSB3, baud: 19200, compartment: A1}

            """
        let site = try ConfigurationFixtures.load(yaml)
        #expect(site.keypads.map(\.name) == ["front", "a1-pad"])
        #expect(site.keypads[1].compartment == "A1")
        let front = HardwareLayout.keypadSettings(site.keypads[0])
        #expect(front.endKeys == [.enter])
        #expect(front.timeout == .seconds(20))
        let pad = HardwareLayout.keypadSettings(site.keypads[1])
        #expect(pad.endKeys == [.character("#"), .enter])
    }

    @Test("a keypad on a compartment that does not exist, a bad end key, or a missing device is reported")
    func badKeypads() {
        let problems = ConfigurationFixtures.problems(ConfigurationFixtures.validSite + """
            keypads:
              - {name: k, kind: serial, device: /dev/ttyUSB3, compartment: Z9, endKey: "##"}
              - {name: k2, kind: input-device}

            """)
        let paths = problems.map(\.path)
        #expect(paths.contains("keypads[0].compartment"))
        #expect(paths.contains("keypads[0].endKey"))
        #expect(paths.contains("keypads[1].device"))
    }

    @Test("card readers take the card number format")
    func readerFormat() throws {
        let yaml = ConfigurationFixtures.validSite + """
            rfidReaders:
              - {name: usb, kind: input-device, device: /dev/input/event4, format: hex}

            """
        let site = try ConfigurationFixtures.load(yaml)
        #expect(site.rfidReaders.first?.format == .hex)
        #expect(HardwareLayout.uidFormat(site.rfidReaders.first?.format, default: .decimal) == .hex)
        #expect(HardwareLayout.uidFormat(nil, default: .decimal) == .decimal)
    }
}
