import AsyncHTTPClient
import Foundation
import NIOCore
import OCPP
import SMSAuth

/// Why a relayed text could not be handed on.
public enum SMSRelayError: Error, Sendable, CustomStringConvertible {
    case gatewayRefused(url: String, status: UInt)
    case gatewayUnreachable(url: String, reason: String)
    case centralSystemOffline
    case centralSystemRefused(status: String)

    public var description: String {
        switch self {
        case let .gatewayRefused(url, status):
            "the SMS gateway at \(url) answered HTTP \(status); check its token and the request format"
        case let .gatewayUnreachable(url, reason): "the SMS gateway at \(url) is unreachable: \(reason)"
        case .centralSystemOffline: "the central system is not connected; the text cannot be relayed now"
        case let .centralSystemRefused(status): "the central system answered the SMS relay with \(status)"
        }
    }
}

/// Outgoing SMS through an HTTP SMS gateway: a JSON POST `{"to": "+49...", "text": "...", "from": "..."}` to
/// the configured URL with `Authorization: Bearer <token file>`. Inbound texts arrive at the webhook
/// (`POST /v1/sms/inbound`), which injects them into the gateway, so `incoming` stays empty.
public struct HTTPGatewayTransport: SMSTransport {
    public let url: String
    public let token: String?
    public let from: String?
    public let incoming: AsyncStream<IncomingSMS> = AsyncStream { $0.finish() }

    public init(url: String, token: String?, from: String?) {
        self.url = url
        self.token = token
        self.from = from
    }

    struct Body: Encodable {
        var to: String
        var text: String
        var from: String?
    }

    public func send(_ text: String, to recipient: E164Number) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(Body(to: recipient.description, text: text, from: from))))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
        } catch {
            throw SMSRelayError.gatewayUnreachable(url: url, reason: "\(error)")
        }
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw SMSRelayError.gatewayRefused(url: url, status: response.status.code)
        }
    }
}

/// SMS relayed through the central system as OCPP DataTransfer (docs/sms.md, "Through the central system"):
/// inbound `SMS.Inbound` from the central system with data `{"from": "+49...", "text": "..."}`, outbound
/// `SMS.Outbound` to it with data `{"to": "+49...", "text": "..."}`, both under the site's vendor id.
public struct CentralSystemSMSTransport: SMSTransport {
    public static let inboundMessageId = "SMS.Inbound"
    public static let outboundMessageId = "SMS.Outbound"

    public let uplink: OCPPUplink
    public let incoming: AsyncStream<IncomingSMS> = AsyncStream { $0.finish() }

    public init(uplink: OCPPUplink) {
        self.uplink = uplink
    }

    struct OutboundData: Codable {
        var to: String
        var text: String
    }

    struct InboundData: Codable {
        var from: String
        var text: String
    }

    public func send(_ text: String, to recipient: E164Number) async throws {
        let data = String(decoding: try JSONEncoder().encode(OutboundData(to: recipient.description, text: text)), as: UTF8.self)
        try await uplink.sendDataTransfer(messageId: Self.outboundMessageId, data: data)
    }

    /// Registers `SMS.Inbound` on the uplink's DataTransfer router; accepted texts go into `gateway`.
    public static func registerInbound(on router: DataTransferRouter, gateway: SMSGateway) async {
        await router.register(messageId: inboundMessageId) { [gateway] data in
            guard let data, let message = try? JSONDecoder().decode(InboundData.self, from: Data(data.utf8)) else {
                return DataTransferConfirmation(status: .rejected, data: "SMS.Inbound needs data {\"from\": \"+49...\", \"text\": \"...\"}")
            }
            await gateway.inject(from: message.from, text: message.text, via: "central-system")
            return DataTransferConfirmation(status: .accepted)
        }
    }
}

extension OCPPUplink {
    /// Sends a DataTransfer.req under the site's vendor id; throws when the central system is not connected.
    func sendDataTransfer(messageId: String, data: String) async throws {
        guard monitor.snapshot.state == .connected else { throw SMSRelayError.centralSystemOffline }
        let call = try OutgoingCall(DataTransferRequest(vendorId: dataTransferRouter.vendorId, messageId: messageId, data: data))
        await submit(call, at: ContinuousClock.now)
    }
}
