import Crypto

/// How a sender's number becomes the OCPP idTag (at most 20 characters, OCPP 1.6 CiString20).
///
/// - keyed hash (default): prefix + base32 of HMAC-SHA256(site secret, "+E164"), cut to 20
///   characters. The central system sees a stable pseudonym per driver and site, never the number.
/// - plain digits: the E.164 digits without "+", for operators whose billing needs the number.
public struct IdTagRule: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case keyedHash
        case plainDigits
    }

    public let kind: Kind
    public let prefix: String
    private let siteSecret: [UInt8]

    /// Default prefix: marks SMS drivers in the central system's transaction list.
    public static let defaultPrefix = "SMS"
    /// Shortest accepted site secret.
    public static let minimumSecretLength = 16
    public static let maximumIdTagLength = 20

    public static let plainDigits = IdTagRule(kind: .plainDigits, prefix: "", siteSecret: [])

    private init(kind: Kind, prefix: String, siteSecret: [UInt8]) {
        self.kind = kind
        self.prefix = prefix
        self.siteSecret = siteSecret
    }

    /// Validates and builds the keyed-hash rule. The prefix is at most 8 ASCII letters or
    /// digits so at least 12 base32 characters (60 bits) of hash remain.
    public static func keyedHash(siteSecret: [UInt8], prefix: String = defaultPrefix) throws(IdTagRuleError) -> IdTagRule {
        guard siteSecret.count >= minimumSecretLength else { throw .secretTooShort(bytes: siteSecret.count) }
        guard prefix.count <= 8, prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .invalidPrefix(prefix)
        }
        return IdTagRule(kind: .keyedHash, prefix: prefix, siteSecret: siteSecret)
    }

    /// Never prints the secret.
    public var description: String {
        switch kind {
        case .keyedHash: "keyedHash(prefix: \(prefix), secret: <\(siteSecret.count) bytes>)"
        case .plainDigits: "plainDigits"
        }
    }

    /// The idTag for `number`.
    public func idTag(for number: E164Number) -> String {
        switch kind {
        case .plainDigits:
            return number.digits // E.164 has at most 15 digits, so it always fits
        case .keyedHash:
            let code = HMAC<SHA256>.authenticationCode(for: Array(number.description.utf8), using: SymmetricKey(data: siteSecret))
            return prefix + Base32.encode(Array(code)).prefix(Self.maximumIdTagLength - prefix.count)
        }
    }
}

public enum IdTagRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    case secretTooShort(bytes: Int)
    case invalidPrefix(String)

    public var description: String {
        switch self {
        case .secretTooShort(let bytes):
            "SMS idTag site secret has \(bytes) bytes; use at least \(IdTagRule.minimumSecretLength) random bytes (e.g. `openssl rand -hex 32`)"
        case .invalidPrefix(let prefix):
            "SMS idTag prefix '\(prefix)' must be at most 8 ASCII letters or digits"
        }
    }
}

/// RFC 4648 base32, upper case, no padding.
enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    static func encode(_ bytes: [UInt8]) -> String {
        var result = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                result.append(alphabet[Int(buffer >> UInt32(bits - 5) & 0x1F)])
                bits -= 5
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { result.append(alphabet[Int(buffer << UInt32(5 - bits) & 0x1F)]) }
        return result
    }
}
