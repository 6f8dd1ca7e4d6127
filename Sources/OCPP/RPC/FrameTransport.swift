/// The seam between the pure RPC core and the WebSocket transport (built separately): the
/// transport only moves OCPP-J text frames and reports connection changes; framing,
/// validation, CALLERRORs and call tracking all happen on the strings it delivers.
public protocol OCPPFrameTransport: Sendable {
    /// Connection changes and incoming text frames, in arrival order.
    var events: AsyncStream<OCPPTransportEvent> { get }
    /// Sends one text frame; throws when the connection is not open.
    func send(_ frame: String) async throws
    /// Closes the connection (e.g. before a reset); reconnecting is the transport's job.
    func close() async
}

public enum OCPPTransportEvent: Sendable, Equatable {
    case connected
    case frame(String)
    case disconnected(reason: String)
}

extension RPCFrame {
    /// `text` safe to write to a log: the value of a ChangeConfiguration for a write-only key
    /// (AuthorizationKey) is replaced. An unparseable frame that mentions such a key is
    /// withheld entirely.
    public static func loggable(_ text: String) -> String {
        guard text.range(of: StandardConfigurationKey.authorizationKey.rawValue, options: .caseInsensitive) != nil else { return text }
        guard case .array(var elements)? = try? JSONValue.parse(text), elements.count == 4,
              case .object(var payload) = elements[3]
        else { return "<frame withheld from log: mentions a write-only configuration key>" }
        if case .string(let key)? = payload["key"], StandardConfigurationKey.isWriteOnly(key), payload["value"] != nil {
            payload["value"] = .string("<redacted>")
            elements[3] = .object(payload)
            return JSONValue.array(elements).serialized
        }
        return text
    }
}
