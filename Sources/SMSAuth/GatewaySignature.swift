import Crypto
import Foundation

/// Checks that an inbound webhook really comes from the SMS gateway. Two schemes:
/// - `hmacSHA256`: the header carries HMAC-SHA256(key: shared secret, message: raw body), hex
///   (optionally prefixed "sha256="), or base64.
/// - `twilio`: X-Twilio-Signature, base64 HMAC-SHA1(key: auth token, message: the full URL the
///   gateway called + every POST parameter name and value, sorted by name, concatenated).
/// Comparison is in constant time. Pure.
public enum GatewaySignatureScheme: String, Sendable, Equatable, Codable, CaseIterable {
    case hmacSHA256 = "hmac-sha256"
    case twilio

    /// The header the signature comes in.
    public var header: String {
        switch self {
        case .hmacSHA256: "X-Signature"
        case .twilio: "X-Twilio-Signature"
        }
    }
}

public enum GatewaySignature {
    /// HMAC-SHA256 of `body`, lower-case hex.
    public static func hmacSHA256Hex(body: [UInt8], secret: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return Array(code).map { String(format: "%02x", $0) }.joined()
    }

    /// Twilio's signature for a form POST to `url` with `parameters`.
    public static func twilio(url: String, parameters: [(String, String)], authToken: [UInt8]) -> String {
        var message = url
        for (name, value) in parameters.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) {
            message += name + value
        }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: authToken))
        return Data(code).base64EncodedString()
    }

    /// True when `presented` is the right HMAC-SHA256 of `body` (hex, "sha256=<hex>", or base64).
    public static func verifyHMACSHA256(body: [UInt8], presented: String, secret: [UInt8]) -> Bool {
        let code = Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)))
        var text = presented.trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasPrefix("sha256=") { text = String(text.dropFirst(7)) }
        if let hex = try? PDUHex.decode(text.uppercased()), hex.count == code.count {
            return ConstantTime.equal(hex, code)
        }
        if let decoded = Data(base64Encoded: text), decoded.count == code.count {
            return ConstantTime.equal(Array(decoded), code)
        }
        return false
    }

    /// True when `presented` is Twilio's signature of this request.
    public static func verifyTwilio(url: String, parameters: [(String, String)], presented: String, authToken: [UInt8]) -> Bool {
        let expected = Array(twilio(url: url, parameters: parameters, authToken: authToken).utf8)
        return ConstantTime.equal(expected, Array(presented.trimmingCharacters(in: .whitespaces).utf8))
    }

    /// Decodes an application/x-www-form-urlencoded body ("+" is a space).
    public static func formParameters(_ body: [UInt8]) -> [(String, String)] {
        String(decoding: body, as: UTF8.self).split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first else { return nil }
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            return (decode(name), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}
