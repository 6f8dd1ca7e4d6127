import Foundation

/// The configuration values the central system (or an operator) has set: canonical key name
/// -> value. Keys never set keep their registry default. EdgeAgent persists this value and
/// hands it back on start; it may contain AuthorizationKey, so it never prints its values.
public struct ConfigurationKeyStore: Codable, Sendable, Equatable, CustomStringConvertible {
    public private(set) var values: [String: String]

    public init(values: [String: String] = [:]) { self.values = values }

    mutating func set(_ key: StandardConfigurationKey, to value: String) { values[key.rawValue] = value }

    public var description: String {
        let shown = values.keys.sorted().map { key in
            "\(key)=\(StandardConfigurationKey.isWriteOnly(key) ? "<redacted>" : values[key]!)"
        }
        return "ConfigurationKeyStore(\(shown.joined(separator: ", ")))"
    }
}

/// Why a configuration value is refused.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownKey(String)
    case readOnly(StandardConfigurationKey)
    case invalidValue(StandardConfigurationKey, expected: String)

    public var description: String {
        switch self {
        case .unknownKey(let key): "configuration key '\(key)' is not supported by this charge point"
        case .readOnly(let key): "configuration key \(key.rawValue) is read-only"
        case .invalidValue(let key, let expected): "invalid value for \(key.rawValue): expected \(expected)"
        }
    }
}

/// The keys this charge point supports and the rules for their values. Pure: every
/// operation takes the current store and returns answers (and a new store) as values.
public struct ConfigurationRegistry: Sendable {
    public let definitions: [ConfigurationKeyDefinition]
    private let byLowercasedName: [String: ConfigurationKeyDefinition]

    public init(definitions: [ConfigurationKeyDefinition]) {
        self.definitions = definitions
        self.byLowercasedName = Dictionary(definitions.map { ($0.key.rawValue.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    public static func standard(_ capabilities: ChargePointCapabilities) -> ConfigurationRegistry {
        ConfigurationRegistry(definitions: ConfigurationKeyDefinition.standardSet(for: capabilities))
    }

    /// Looks a key up case-insensitively (keys are CiStrings).
    public func definition(named name: String) -> ConfigurationKeyDefinition? { byLowercasedName[name.lowercased()] }

    public func definition(_ key: StandardConfigurationKey) -> ConfigurationKeyDefinition? { definition(named: key.rawValue) }

    // MARK: Reading values

    /// The effective value: the stored one, else the default. Nil for a key not in the registry.
    public func value(_ key: StandardConfigurationKey, in store: ConfigurationKeyStore) -> String? {
        guard let definition = definition(key) else { return nil }
        if definition.access != .readOnly, let stored = store.values[key.rawValue] { return stored }
        return definition.defaultValue
    }

    public func bool(_ key: StandardConfigurationKey, in store: ConfigurationKeyStore) -> Bool? {
        value(key, in: store).flatMap { Bool($0.lowercased()) }
    }

    public func integer(_ key: StandardConfigurationKey, in store: ConfigurationKeyStore) -> Int? {
        value(key, in: store).flatMap { Int($0) }
    }

    public func measurands(_ key: StandardConfigurationKey, in store: ConfigurationKeyStore) -> [Measurand] {
        Self.items(value(key, in: store) ?? "").compactMap(Measurand.init(rawValue:))
    }

    // MARK: ChangeConfiguration and GetConfiguration

    /// Answers a ChangeConfiguration: NotSupported for an unknown key, Rejected for a read-only
    /// key or an invalid value, RebootRequired when the key applies after a reboot (the value
    /// is stored anyway), else Accepted. `store` changes only when the answer is Accepted or
    /// RebootRequired.
    public func changeConfiguration(
        _ request: ChangeConfigurationRequest, store: inout ConfigurationKeyStore
    ) -> ChangeConfigurationConfirmation {
        switch validatedChange(key: request.key, value: request.value, store: store) {
        case .success(let (definition, canonical)):
            store.set(definition.key, to: canonical)
            return ChangeConfigurationConfirmation(status: definition.takesEffect == .afterReboot ? .rebootRequired : .accepted)
        case .failure(.unknownKey):
            return ChangeConfigurationConfirmation(status: .notSupported)
        case .failure:
            return ChangeConfigurationConfirmation(status: .rejected)
        }
    }

    /// Checks a change without applying it, with the reason when refused (for logs and the
    /// local API). Returns the definition and the value in canonical form.
    public func validatedChange(
        key: String, value: String, store: ConfigurationKeyStore
    ) -> Result<(ConfigurationKeyDefinition, String), ConfigurationError> {
        guard let definition = definition(named: key) else { return .failure(.unknownKey(key)) }
        guard definition.access != .readOnly else { return .failure(.readOnly(definition.key)) }
        guard let canonical = canonicalValue(value, for: definition, store: store) else {
            return .failure(.invalidValue(definition.key, expected: definition.type.name))
        }
        if definition.key == .securityProfile,
           let current = integer(.securityProfile, in: store), let proposed = Int(canonical), proposed < current {
            // The security extension forbids lowering the security profile remotely.
            return .failure(.invalidValue(.securityProfile, expected: "a profile not lower than the current \(current)"))
        }
        return .success((definition, canonical))
    }

    /// Answers a GetConfiguration: the requested keys (all readable keys when none are
    /// requested), unknown ones listed as such. Write-only keys are never returned; asking
    /// for one lists it as unknown.
    public func getConfiguration(
        _ request: GetConfigurationRequest, store: ConfigurationKeyStore
    ) -> GetConfigurationConfirmation {
        let requested = request.key ?? []
        var known: [KeyValue] = []
        var unknown: [String] = []
        if requested.isEmpty {
            known = definitions.filter { $0.access != .writeOnly }.map { keyValue($0, store: store) }
        } else {
            for name in requested {
                if let definition = definition(named: name), definition.access != .writeOnly {
                    known.append(keyValue(definition, store: store))
                } else {
                    unknown.append(name)
                }
            }
        }
        return GetConfigurationConfirmation(
            configurationKey: known.isEmpty ? nil : known, unknownKey: unknown.isEmpty ? nil : unknown)
    }

    /// Drops stored entries that are unknown, read-only or no longer valid (e.g. after an
    /// upgrade changed a range), returning the clean store and the dropped key names.
    public func sanitized(_ store: ConfigurationKeyStore) -> (store: ConfigurationKeyStore, dropped: [String]) {
        var clean = ConfigurationKeyStore()
        var dropped: [String] = []
        for name in store.values.keys.sorted() {
            if case .success(let (definition, canonical)) = validatedChange(key: name, value: store.values[name]!, store: clean) {
                clean.set(definition.key, to: canonical)
            } else {
                dropped.append(name)
            }
        }
        return (clean, dropped)
    }

    private func keyValue(_ definition: ConfigurationKeyDefinition, store: ConfigurationKeyStore) -> KeyValue {
        KeyValue(key: definition.key.rawValue, readonly: definition.access == .readOnly, value: value(definition.key, in: store))
    }

    // MARK: Value rules

    private static func items(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static let rotations: Set<String> = ["NotApplicable", "Unknown", "RST", "RTS", "SRT", "STR", "TRS", "TSR"]

    /// The value in canonical form, or nil when it is not valid for `definition`.
    private func canonicalValue(_ raw: String, for definition: ConfigurationKeyDefinition, store: ConfigurationKeyStore) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        switch definition.type {
        case .boolean:
            return Bool(value.lowercased()).map { String($0) }
        case .integer(let range):
            guard let number = Int(value), range.contains(number) else { return nil }
            return String(number)
        case .measurandList(let maxItemsKey):
            let names = Self.items(value)
            guard names.allSatisfy({ Measurand(rawValue: $0) != nil }) else { return nil }
            if let maxItemsKey, let maxItems = integer(maxItemsKey, in: store), names.count > maxItems { return nil }
            return names.joined(separator: ",")
        case .list(let allowed):
            let names = Self.items(value)
            guard names.allSatisfy(allowed.contains) else { return nil }
            return names.joined(separator: ",")
        case .phaseRotationList:
            let entries = Self.items(value)
            let connectors = integer(.numberOfConnectors, in: store) ?? Int.max
            let maxItems = integer(.connectorPhaseRotationMaxLength, in: store) ?? Int.max
            guard entries.count <= maxItems else { return nil }
            for entry in entries {
                let parts = entry.split(separator: ".", maxSplits: 1).map(String.init)
                guard parts.count == 2, let connector = Int(parts[0]), (0...connectors).contains(connector),
                      Self.rotations.contains(parts[1])
                else { return nil }
            }
            return entries.joined(separator: ",")
        case .string(let length):
            // Passwords keep their exact characters, spaces included.
            guard length.contains(raw.count) else { return nil }
            return raw
        }
    }
}
