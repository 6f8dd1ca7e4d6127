import Foundation

/// Why the local API's token could not be established.
public enum APITokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case notWritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "API token file \(path) cannot be read (\(reason)). Check its owner and permissions (0600, owned by the edge-agent user)."
        case let .empty(path):
            return "API token file \(path) is empty. Put a token of at least 16 characters in it, or delete it to have one generated."
        case let .notWritable(path, reason):
            return "API token file \(path) cannot be created (\(reason)). Make the state folder writable, or set api.token / api.tokenFile in the site file."
        }
    }
}

/// The bearer token that guards the local API, and where it came from (never the token itself in logs).
public struct APIToken: Sendable {
    public enum Origin: Sendable, Equatable {
        case configuration
        case file(path: String)
        case generated(path: String)
    }

    public let value: String
    public let origin: Origin

    /// Where a token is generated when the site file names none.
    public static func defaultFilePath(stateFolder: String) -> String {
        URL(fileURLWithPath: stateFolder, isDirectory: true).appendingPathComponent("api-token").path
    }

    /// Resolves the token: inline in the site file, else the named token file, else `<state>/api-token`,
    /// generated on first start with 256 random bits and mode 0600.
    public static func resolve(configuration: LocalAPIConfiguration, stateFolder: String) throws(APITokenError) -> APIToken {
        if let inline = configuration.token, !inline.isEmpty {
            return APIToken(value: inline, origin: .configuration)
        }
        if let path = configuration.tokenFile {
            return APIToken(value: try read(path), origin: .file(path: path))
        }
        let path = defaultFilePath(stateFolder: stateFolder)
        if FileManager.default.fileExists(atPath: path) {
            return APIToken(value: try read(path), origin: .file(path: path))
        }
        let token = generate()
        do {
            try FileManager.default.createDirectory(
                atPath: stateFolder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(
                atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
            else {
                throw CocoaError(.fileWriteNoPermission)
            }
        } catch {
            throw .notWritable(path: path, reason: (error as NSError).localizedDescription)
        }
        return APIToken(value: token, origin: .generated(path: path))
    }

    static func read(_ path: String) throws(APITokenError) -> String {
        let contents: String
        do {
            contents = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let token = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .empty(path: path) }
        return token
    }

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// Compares in time independent of where the first difference is, so the token cannot be guessed byte by byte.
    public func matches(_ presented: some StringProtocol) -> Bool {
        let expected = Array(value.utf8)
        let given = Array(presented.utf8)
        var difference = UInt8(expected.count == given.count ? 0 : 1)
        for index in 0..<expected.count {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
