import Foundation

/// Problems loading the profile catalog, each naming the file and what to fix.
public enum ProfileCatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableDirectory(String, reason: String)
    case unreadableFile(String, reason: String)
    case invalidProfiles([ProfileValidationError])
    case duplicateName(String, files: [String])
    case unknownProfile(String, known: [String])

    public var description: String {
        switch self {
        case let .unreadableDirectory(path, reason): "cannot read profile folder \(path): \(reason)"
        case let .unreadableFile(path, reason): "cannot read profile file \(path): \(reason)"
        case let .invalidProfiles(errors): errors.map(\.description).joined(separator: "\n")
        case let .duplicateName(name, files): "profile name '\(name)' is defined in several files (\(files.joined(separator: ", "))); rename one"
        case let .unknownProfile(name, known): "unknown device profile '\(name)'; known profiles: \(known.joined(separator: ", "))"
        }
    }
}

/// Shipped profiles merged with the YAML files in an integrator's folder. A folder profile
/// with a shipped name replaces the shipped one (to correct a map without a new release).
public struct ProfileCatalog: Sendable {
    public private(set) var profiles: [String: DeviceProfile]
    /// Where each profile came from: "shipped" or a file path.
    public private(set) var origins: [String: String]

    /// Only the shipped profiles.
    public static func shipped() throws(ProfileCatalogError) -> ProfileCatalog {
        try ProfileCatalog(directory: nil)
    }

    /// Loads shipped profiles plus every *.yaml / *.yml file in `directory` (if given).
    /// Collects every problem before failing, so check-config can show them all at once.
    public init(directory: String?) throws(ProfileCatalogError) {
        var profiles: [String: DeviceProfile] = [:]
        var origins: [String: String] = [:]
        var invalid: [ProfileValidationError] = []
        for (name, text) in ShippedProfiles.yaml.sorted(by: { $0.key < $1.key }) {
            do {
                let profile = try ProfileParser.parse(yaml: text, origin: "shipped:\(name)")
                profiles[profile.name] = profile
                origins[profile.name] = "shipped"
            } catch {
                invalid.append(error)
            }
        }
        if let directory {
            let files: [String]
            do {
                files = try FileManager.default.contentsOfDirectory(atPath: directory)
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                    .sorted()
            } catch {
                throw .unreadableDirectory(directory, reason: error.localizedDescription)
            }
            var folderOrigins: [String: String] = [:]
            for file in files {
                let path = (directory as NSString).appendingPathComponent(file)
                let text: String
                do {
                    text = try String(contentsOfFile: path, encoding: .utf8)
                } catch {
                    throw .unreadableFile(path, reason: error.localizedDescription)
                }
                do {
                    let profile = try ProfileParser.parse(yaml: text, origin: path)
                    if let other = folderOrigins[profile.name] {
                        throw ProfileCatalogError.duplicateName(profile.name, files: [other, path])
                    }
                    folderOrigins[profile.name] = path
                    profiles[profile.name] = profile
                    origins[profile.name] = path
                } catch let error as ProfileValidationError {
                    invalid.append(error)
                } catch let error as ProfileCatalogError {
                    throw error
                } catch {
                    invalid.append(ProfileValidationError(origin: path, problems: ["\(error)"]))
                }
            }
        }
        if !invalid.isEmpty { throw .invalidProfiles(invalid) }
        self.profiles = profiles
        self.origins = origins
    }

    public var names: [String] { profiles.keys.sorted() }

    public func profile(named name: String) throws(ProfileCatalogError) -> DeviceProfile {
        guard let profile = profiles[name] else { throw .unknownProfile(name, known: names) }
        return profile
    }
}
