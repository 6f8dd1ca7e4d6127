import Foundation

/// Where the station connects: the central system URL with the station identity appended,
/// split into what the socket, TLS and the HTTP upgrade request each need.
public struct OCPPEndpoint: Sendable, Equatable {
    public var usesTLS: Bool
    public var host: String
    public var port: Int
    /// Request target of the upgrade request: base path + "/" + percent-encoded identity (+ query).
    public var requestTarget: String

    /// The `Host` header value: the port only when it is not the scheme's default.
    public var hostHeader: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let defaultPort = usesTLS ? 443 : 80
        return port == defaultPort ? shownHost : "\(shownHost):\(port)"
    }

    public var urlString: String {
        "\(usesTLS ? "wss" : "ws")://\(hostHeader)\(requestTarget)"
    }

    /// Builds the endpoint from the configured central system URL (ws:// or wss://) and identity.
    public init(centralSystemURL: String, stationIdentity: String) throws(OCPPConnectionError) {
        guard !stationIdentity.isEmpty else {
            throw .invalidConfiguration("the station identity is empty; set it to the ChargeBox identity registered at the central system")
        }
        guard let components = URLComponents(string: centralSystemURL),
              let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else {
            throw .invalidURL(centralSystemURL, "not a URL of the form ws://host[:port]/path or wss://host[:port]/path")
        }
        switch scheme {
        case "ws": usesTLS = false
        case "wss": usesTLS = true
        default:
            throw .invalidURL(centralSystemURL, "scheme '\(scheme)' is not supported; use ws:// or wss://")
        }
        if components.user != nil || components.password != nil {
            throw .invalidURL(centralSystemURL, "credentials belong in the password setting, not in the URL")
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? (usesTLS ? 443 : 80)
        var path = components.percentEncodedPath
        if !path.hasSuffix("/") { path += "/" }
        var target = path + Self.percentEncode(stationIdentity)
        if let query = components.percentEncodedQuery { target += "?" + query }
        self.requestTarget = target
    }

    /// RFC 3986 percent-encoding of everything except unreserved characters, so an identity
    /// with spaces, slashes or non-ASCII letters stays one path segment.
    public static func percentEncode(_ segment: String) -> String {
        var result = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
