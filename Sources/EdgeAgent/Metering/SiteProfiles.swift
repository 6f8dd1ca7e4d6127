import Foundation
import MeterBus
import Yams

/// The device profiles a site may use: the shipped ones plus the integrator's `profilesFolder`.
/// Problems in that folder become configuration problems naming the file and what is wrong.
public enum SiteProfiles {
    public struct Loaded: Sendable {
        /// Every usable profile (shipped plus the folder's valid files).
        public var catalog: ProfileCatalog
        /// Profile names a site may refer to: the catalog's, plus valid folder files when another file is broken.
        public var names: Set<String>
        public var problems: [ConfigurationProblem]
    }

    /// Loads the catalog for a folder (nil: shipped profiles only). Never throws: a broken
    /// folder falls back to the shipped profiles plus the folder's valid files, with the problems listed.
    public static func load(folder: String?) -> Loaded {
        // The shipped profiles parse (MeterBus's tests check each one); failing here means a broken build.
        guard let shipped = try? ProfileCatalog.shipped() else { preconditionFailure("shipped device profiles do not parse") }
        guard let folder else { return Loaded(catalog: shipped, names: Set(shipped.names), problems: []) }
        do {
            let catalog = try ProfileCatalog(directory: folder)
            return Loaded(catalog: catalog, names: Set(catalog.names), problems: [])
        } catch {
            return Loaded(catalog: shipped, names: Set(shipped.names).union(validNames(in: folder)),
                          problems: problems(for: error, folder: folder))
        }
    }

    /// The catalog for a loaded site (its validation already reported folder problems).
    public static func catalog(for configuration: SiteConfiguration) -> ProfileCatalog {
        load(folder: configuration.profilesFolder).catalog
    }

    static func problems(for error: ProfileCatalogError, folder: String) -> [ConfigurationProblem] {
        switch error {
        case let .invalidProfiles(errors):
            return errors.map { invalid in
                ConfigurationProblem(path: "profilesFolder", message: "profile file \(invalid.origin): "
                    + invalid.problems.joined(separator: "; ") + "; fix the file or move it out of \(folder)")
            }
        case .unreadableDirectory:
            return [ConfigurationProblem(path: "profilesFolder", message: "\(error); check the path and its permissions")]
        default:
            return [ConfigurationProblem(path: "profilesFolder", message: "\(error)")]
        }
    }

    /// Names of the folder's files that parse on their own.
    static func validNames(in folder: String) -> Set<String> {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var names = Set<String>()
        for file in files where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
            let path = (folder as NSString).appendingPathComponent(file)
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let profile = try? ProfileParser.parse(yaml: text, origin: path) {
                names.insert(profile.name)
            }
        }
        return names
    }

    /// `profilesFolder` as a site file writes it, resolved against the file's folder; nil when absent
    /// or when the file cannot be read (the loader reports that).
    static func folder(ofSiteAt path: String?) -> String? {
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8),
              let root = try? Yams.compose(yaml: text), let written = root["profilesFolder"]?.string,
              !written.isEmpty
        else { return nil }
        if written.hasPrefix("/") { return written }
        let base = (path as NSString).deletingLastPathComponent
        return URL(fileURLWithPath: (base.isEmpty ? "." : base) + "/" + written).standardizedFileURL.path
    }
}
