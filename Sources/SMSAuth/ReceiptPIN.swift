import Crypto

/// A receipt PIN in clear. It exists only between generation and the outgoing SMS; what is
/// stored is its `ReceiptPINDigest`. Printing it shows a mask, so it cannot leak into logs.
public struct ReceiptPIN: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The digits; use only to render the SMS.
    public let digits: String

    public init?(digits: String) {
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        self.digits = digits
    }

    public var description: String { String(repeating: "*", count: digits.count) }
    public var debugDescription: String { description }
}

/// How a receipt PIN is stored: a random 16-byte salt and HMAC-SHA256(key: salt, PIN).
/// Compared in constant time. A 6-digit PIN is only 10^6 guesses for someone who steals the
/// database, so the digest protects against casual reading, not against brute force; the
/// PIN itself only unlocks while its session is open and the keypad limiter is in place.
public struct ReceiptPINDigest: Sendable, Equatable, Hashable, Codable {
    public let salt: [UInt8]
    public let hash: [UInt8]

    public static let saltLength = 16

    public init(salt: [UInt8], hash: [UInt8]) {
        self.salt = salt
        self.hash = hash
    }

    /// Digest of `pin` with a fresh salt.
    public init(pin: ReceiptPIN, using generator: inout some RandomNumberGenerator) {
        let salt = (0..<Self.saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.init(salt: salt, hash: Self.hash(pin.digits, salt: salt))
    }

    /// True when `candidate` is the PIN this digest was made from.
    public func matches(_ candidate: String) -> Bool {
        ConstantTime.equal(Self.hash(candidate, salt: salt), hash)
    }

    /// "v1:<salt hex>:<hash hex>", a single column for storage.
    public var encoded: String { "v1:" + PDUHex.encode(salt) + ":" + PDUHex.encode(hash) }

    public init?(encoded: String) {
        let fields = encoded.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0] == "v1",
              let salt = try? PDUHex.decode(String(fields[1])), salt.count == Self.saltLength,
              let hash = try? PDUHex.decode(String(fields[2])), hash.count == SHA256.byteCount else { return nil }
        self.init(salt: salt, hash: hash)
    }

    static func hash(_ digits: String, salt: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(digits.utf8), using: SymmetricKey(data: salt)))
    }
}

enum ConstantTime {
    /// Compares without an early exit, so timing does not tell how many bytes matched.
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

/// Issues receipt PINs: uniformly random digits from a cryptographically secure generator
/// (SystemRandomNumberGenerator reads the kernel CSPRNG), avoiding trivial PINs and PINs of
/// other open sessions.
public struct ReceiptPINIssuer: Sendable {
    public let length: Int
    /// Attempts before giving up; only reached when nearly every PIN is taken.
    public let maxAttempts: Int

    public init(length: Int = 6, maxAttempts: Int = 1000) throws(ReceiptPINError) {
        guard (4...10).contains(length) else { throw .invalidLength(length) }
        self.length = length
        self.maxAttempts = maxAttempts
    }

    /// A new PIN and its digest. `isInUse` answers whether an open session already has this
    /// PIN (check each open session's digest with `matches`, or use `issue(avoiding:)`).
    public func issue(
        isInUse: (ReceiptPIN) -> Bool,
        using generator: inout some RandomNumberGenerator
    ) throws(ReceiptPINError) -> (pin: ReceiptPIN, digest: ReceiptPINDigest) {
        for _ in 0..<maxAttempts {
            let digits = String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            guard let pin = ReceiptPIN(digits: digits), !Self.isTrivial(digits), !isInUse(pin) else { continue }
            return (pin, ReceiptPINDigest(pin: pin, using: &generator))
        }
        throw .noFreePIN(attempts: maxAttempts)
    }

    /// Convenience: unique among the digests of the open sessions, system CSPRNG.
    public func issue(avoiding openSessions: [ReceiptPINDigest]) throws(ReceiptPINError) -> (pin: ReceiptPIN, digest: ReceiptPINDigest) {
        var generator = SystemRandomNumberGenerator()
        return try issue(isInUse: { pin in openSessions.contains { $0.matches(pin.digits) } }, using: &generator)
    }

    /// All digits equal ("000000") or a straight run ("123456", "654321"): the first
    /// things a passer-by types at a keypad.
    public static func isTrivial(_ digits: String) -> Bool {
        let values = digits.compactMap(\.wholeNumberValue)
        guard values.count > 1 else { return false }
        let steps = Set(zip(values, values.dropFirst()).map { $1 - $0 })
        return steps == [0] || steps == [1] || steps == [-1]
    }
}

public enum ReceiptPINError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidLength(Int)
    case noFreePIN(attempts: Int)

    public var description: String {
        switch self {
        case .invalidLength(let length):
            "receipt PIN length \(length) is out of range; use 4 to 10 digits (default 6)"
        case .noFreePIN(let attempts):
            "no free receipt PIN found in \(attempts) attempts; too many open sessions for the PIN length, configure longer PINs"
        }
    }
}
