import Foundation

/// Why the local API's token could not be established.
public enum APITokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case notWritable(path: String, reason: String)
    case readOnlySameAsOperator

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "API token file \(path) cannot be read (\(reason)). Check its owner and permissions (0600, owned by the edge-agent user)."
        case let .empty(path):
            return "API token file \(path) is empty. Put a token of at least 16 characters in it, or delete it to have one generated."
        case let .notWritable(path, reason):
            return "API token file \(path) cannot be created (\(reason)). Make the state folder writable, or set api.token / api.tokenFile in the site file."
        case .readOnlySameAsOperator:
            return "the read-only API token is the same as the operator token, so it would grant operator scope. "
                + "Give api.readOnlyToken / api.readOnlyTokenFile a different token, or remove them to have one generated."
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

    /// Where the operator token is generated when the site file names none.
    public static func defaultFilePath(stateFolder: String) -> String {
        URL(fileURLWithPath: stateFolder, isDirectory: true).appendingPathComponent("api-token").path
    }

    /// Where the read-only token is generated when the site file names none.
    public static func defaultReadOnlyFilePath(stateFolder: String) -> String {
        URL(fileURLWithPath: stateFolder, isDirectory: true).appendingPathComponent("api-token-readonly").path
    }

    /// Resolves the operator token: inline in the site file, else the named token file, else `<state>/api-token`,
    /// generated on first start with 256 random bits and mode 0600.
    public static func resolve(configuration: LocalAPIConfiguration, stateFolder: String) throws(APITokenError) -> APIToken {
        try resolve(inline: configuration.token, file: configuration.tokenFile,
                    defaultPath: defaultFilePath(stateFolder: stateFolder), stateFolder: stateFolder)
    }

    /// Resolves the read-only token the same way from `api.readOnlyToken`, `api.readOnlyTokenFile`, else
    /// `<state>/api-token-readonly`.
    public static func resolveReadOnly(configuration: LocalAPIConfiguration, stateFolder: String) throws(APITokenError) -> APIToken {
        try resolve(inline: configuration.readOnlyToken, file: configuration.readOnlyTokenFile,
                    defaultPath: defaultReadOnlyFilePath(stateFolder: stateFolder), stateFolder: stateFolder)
    }

    static func resolve(inline: String?, file: String?, defaultPath path: String, stateFolder: String) throws(APITokenError) -> APIToken {
        if let inline, !inline.isEmpty {
            return APIToken(value: inline, origin: .configuration)
        }
        if let file {
            return APIToken(value: try read(file), origin: .file(path: file))
        }
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

    /// Where the token came from, for messages (never the token itself).
    public var sourceDescription: String {
        switch origin {
        case .configuration: "the site file (inline token)"
        case let .file(path), let .generated(path): path
        }
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

/// What a token may do: read-only tokens may read everything; everything that changes state needs operator scope.
public enum APIScope: String, Sendable, Equatable, Codable {
    case readOnly = "read-only"
    case `operator`
}

/// The local API's two tokens: the operator token and the read-only token.
public struct APITokens: Sendable {
    public let operatorToken: APIToken
    public let readOnlyToken: APIToken?

    public init(operatorToken: APIToken, readOnlyToken: APIToken? = nil) {
        self.operatorToken = operatorToken
        self.readOnlyToken = readOnlyToken
    }

    /// Resolves both tokens (each generated on first start when the site file names none); they must differ.
    public static func resolve(configuration: LocalAPIConfiguration, stateFolder: String) throws(APITokenError) -> APITokens {
        let operatorToken = try APIToken.resolve(configuration: configuration, stateFolder: stateFolder)
        let readOnlyToken = try APIToken.resolveReadOnly(configuration: configuration, stateFolder: stateFolder)
        guard !operatorToken.matches(readOnlyToken.value) else { throw .readOnlySameAsOperator }
        return APITokens(operatorToken: operatorToken, readOnlyToken: readOnlyToken)
    }

    /// The scope the presented token grants, or nil when it is neither token.
    public func scope(of presented: some StringProtocol) -> APIScope? {
        if operatorToken.matches(presented) { return .operator }
        if let readOnlyToken, readOnlyToken.matches(presented) { return .readOnly }
        return nil
    }
}
