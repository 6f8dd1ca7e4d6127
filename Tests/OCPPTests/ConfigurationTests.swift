import Foundation
import Testing
@testable import OCPP

@Suite("Configuration keys")
struct ConfigurationTests {
    let registry = ConfigurationRegistry.standard(ChargePointCapabilities(numberOfConnectors: 12))

    func change(_ key: String, _ value: String, in store: inout ConfigurationKeyStore) -> ConfigurationStatus {
        registry.changeConfiguration(ChangeConfigurationRequest(key: key, value: value), store: &store).status
    }

    @Test("the standard set holds every OCPP 1.6 key once, with valid defaults")
    func standardSet() {
        #expect(registry.definitions.count == StandardConfigurationKey.allCases.count)
        #expect(Set(registry.definitions.map(\.key)).count == StandardConfigurationKey.allCases.count)
        for definition in registry.definitions where definition.access != .writeOnly {
            // A default must pass the key's own rules (read-only keys are checked as if writable).
            var writable = definition
            writable.access = .readWrite
            let check = ConfigurationRegistry(definitions: registry.definitions.map { $0.key == definition.key ? writable : $0 })
            if case .failure(let error) = check.validatedChange(key: definition.key.rawValue, value: definition.defaultValue, store: ConfigurationKeyStore()) {
                Issue.record("default of \(definition.key.rawValue) is invalid: \(error)")
            }
        }
        #expect(registry.value(.numberOfConnectors, in: ConfigurationKeyStore()) == "12")
        #expect(registry.value(.supportedFeatureProfiles, in: ConfigurationKeyStore())
            == "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger")
    }

    @Test("ChangeConfiguration answers by key and value")
    func changeConfiguration() {
        var store = ConfigurationKeyStore()
        #expect(change("HeartbeatInterval", "120", in: &store) == .accepted)
        #expect(registry.integer(.heartbeatInterval, in: store) == 120)
        #expect(change("heartbeatinterval", " 90 ", in: &store) == .accepted) // keys are case-insensitive
        #expect(store.values == ["HeartbeatInterval": "90"])
        #expect(change("HeartbeatInterval", "-5", in: &store) == .rejected)
        #expect(change("HeartbeatInterval", "soon", in: &store) == .rejected)
        #expect(change("NumberOfConnectors", "4", in: &store) == .rejected) // read-only
        #expect(change("VendorSpecificThing", "1", in: &store) == .notSupported)
        #expect(change("ConnectorPhaseRotation", "0.RST, 1.RTS", in: &store) == .rebootRequired)
        #expect(registry.value(.connectorPhaseRotation, in: store) == "0.RST,1.RTS")
        #expect(change("ConnectorPhaseRotation", "13.RST", in: &store) == .rejected) // no connector 13
        #expect(change("ConnectorPhaseRotation", "1.XYZ", in: &store) == .rejected)
        #expect(change("LocalAuthorizeOffline", "FALSE", in: &store) == .accepted)
        #expect(registry.bool(.localAuthorizeOffline, in: store) == false)
        #expect(change("LocalAuthorizeOffline", "no", in: &store) == .rejected)
        #expect(store.values["HeartbeatInterval"] == "90") // refused changes change nothing
    }

    @Test("measurand lists are checked against the measurands and their max length")
    func measurandLists() {
        var store = ConfigurationKeyStore()
        #expect(change("MeterValuesSampledData", "Energy.Active.Import.Register,Current.Import,Voltage", in: &store) == .accepted)
        #expect(registry.measurands(.meterValuesSampledData, in: store) == [.energyActiveImportRegister, .currentImport, .voltage])
        #expect(change("MeterValuesSampledData", "Energy.Active.Import.Register,Bogus", in: &store) == .rejected)
        let eleven = Measurand.allCases.prefix(11).map(\.rawValue).joined(separator: ",")
        #expect(change("MeterValuesSampledData", eleven, in: &store) == .rejected) // MaxLength is 10
        #expect(change("StopTxnSampledData", "", in: &store) == .accepted)
    }

    @Test("AuthorizationKey is write-only: stored, never returned, never printed")
    func authorizationKey() {
        var store = ConfigurationKeyStore()
        #expect(change("AuthorizationKey", "short", in: &store) == .rejected)
        #expect(change("AuthorizationKey", "0123456789abcdef0123", in: &store) == .accepted)
        #expect(store.values["AuthorizationKey"] == "0123456789abcdef0123")
        let all = registry.getConfiguration(GetConfigurationRequest(), store: store)
        #expect(all.configurationKey?.contains { $0.key == "AuthorizationKey" } == false)
        let asked = registry.getConfiguration(GetConfigurationRequest(key: ["AuthorizationKey"]), store: store)
        #expect(asked.configurationKey == nil)
        #expect(asked.unknownKey == ["AuthorizationKey"])
        #expect(!store.description.contains("0123456789abcdef0123"))
    }

    @Test("SecurityProfile cannot be lowered remotely")
    func securityProfile() {
        var store = ConfigurationKeyStore()
        #expect(change("SecurityProfile", "2", in: &store) == .accepted)
        #expect(change("SecurityProfile", "1", in: &store) == .rejected)
        #expect(change("SecurityProfile", "3", in: &store) == .accepted)
        #expect(change("SecurityProfile", "4", in: &store) == .rejected)
    }

    @Test("GetConfiguration returns requested keys and lists unknown ones; no keys means all")
    func getConfiguration() throws {
        var store = ConfigurationKeyStore()
        _ = change("HeartbeatInterval", "60", in: &store)
        let some = registry.getConfiguration(GetConfigurationRequest(key: ["heartbeatInterval", "NumberOfConnectors", "Nope"]), store: store)
        #expect(some.configurationKey == [
            KeyValue(key: "HeartbeatInterval", readonly: false, value: "60"),
            KeyValue(key: "NumberOfConnectors", readonly: true, value: "12"),
        ])
        #expect(some.unknownKey == ["Nope"])
        let all = registry.getConfiguration(GetConfigurationRequest(key: []), store: store)
        #expect(all.configurationKey?.count == StandardConfigurationKey.allCases.count - 1)
        #expect(all.unknownKey == nil)
        // The answer must itself be a valid confirmation.
        _ = try OCPPMessages.encode(all)
    }

    @Test("a stored configuration survives a reload and bad entries are dropped")
    func persistence() throws {
        var store = ConfigurationKeyStore()
        _ = change("HeartbeatInterval", "60", in: &store)
        let reloaded = ConfigurationKeyStore(values: store.values.merging(["NumberOfConnectors": "99", "Gone": "1", "MeterValueSampleInterval": "-1"]) { a, _ in a })
        let (clean, dropped) = registry.sanitized(reloaded)
        #expect(clean == store)
        #expect(dropped == ["Gone", "MeterValueSampleInterval", "NumberOfConnectors"])
    }
}

@Suite("Configuration documentation")
struct ConfigurationDocumentationTests {
    @Test("docs/ocpp.md lists every key with its access and, for writable keys, its default")
    func documented() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/ocpp.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let registry = ConfigurationRegistry.standard(ChargePointCapabilities(numberOfConnectors: 1))
        for definition in registry.definitions {
            let row = text.split(separator: "\n").first { $0.hasPrefix("| `\(definition.key.rawValue)` |") }
            guard let row else {
                Issue.record("\(definition.key.rawValue) is missing from docs/ocpp.md")
                continue
            }
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells.count == 6, "\(row)")
            guard cells.count == 6 else { continue }
            #expect(cells[4].hasPrefix(definition.access == .readOnly ? "yes" : "no"), "\(row)")
            if definition.access == .readWrite {
                let expected = definition.defaultValue.isEmpty ? "(empty)" : "`\(definition.defaultValue)`"
                #expect(cells[3] == expected, "\(row)")
                #expect(cells[5] == definition.takesEffect.rawValue, "\(row)")
            }
        }
    }
}
