import Foundation
import HTTPTypes
import Hummingbird
import SMSAuth

/// SMS on the local API (docs/sms.md): the HTTP gateway's inbound webhook (signed, no bearer token), the SMS
/// status, and on the simulated site the simulated modem: inject a phone's text, read what was sent, make the
/// modem hang and answer again.
extension LocalAPI {
    /// The webhook path; BearerTokenMiddleware lets it through, since the gateway signs instead.
    public static let smsWebhookPath = "/v1/sms/inbound"

    struct InboundBody: Decodable {
        var from: String
        var text: String
    }

    struct WebhookAnswer: ResponseEncodable { var accepted: Bool }

    struct SMSStatusAnswer: ResponseEncodable {
        var transports: [SMSGateway.TransportStatus]
        var modems: [ModemSupervisor.Status]
        var simulatedModem: SimulatedModem.Status?
        /// The latest texts, newest first, numbers masked and without their text.
        var recent: [SMSGateway.RecentMessage]
    }

    struct SentAnswer: ResponseEncodable { var messages: [SimulatedModemEngine.SentMessage] }
    struct ModemBody: Decodable { var answering: Bool }

    static func addSMSRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController, tokens: APITokens) {
        v1.post("sms/inbound") { request, _ -> Response in
            guard let runtime = await site.smsRuntime() else {
                throw APIError(status: .notFound, message: "SMS is not configured on this site; add `sms:` to the site file")
            }
            var request = request
            let buffer = try await request.collectBody(upTo: 64 * 1024)
            let body = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
            guard let webhook = runtime.webhook, webhook.verify(body: body, header: { name in
                HTTPField.Name(name).flatMap { request.headers[$0] }
            }) else {
                throw APIError(status: .unauthorized, message: "the SMS webhook signature is missing or wrong; nothing was done")
            }
            let from: String
            let text: String
            if webhook.scheme == .twilio {
                let parameters = Dictionary(GatewaySignature.formParameters(body), uniquingKeysWith: { first, _ in first })
                guard let sender = parameters["From"], let message = parameters["Body"] else {
                    throw APIError(status: .badRequest, message: "a Twilio webhook carries From and Body form fields")
                }
                (from, text) = (sender, message)
            } else {
                guard let decoded = try? JSONDecoder().decode(InboundBody.self, from: Data(body)) else {
                    throw APIError(status: .badRequest, message: #"the webhook body must be JSON like {"from": "+4917...", "text": "A3"}"#)
                }
                (from, text) = (decoded.from, decoded.text)
            }
            await runtime.gateway.inject(from: from, text: text, via: SMSTransportConfiguration.Kind.httpGateway.rawValue)
            if webhook.scheme == .twilio {
                return Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: "<Response/>")))
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"accepted":true}"#)))
        }
        v1.get("sms/status") { _, _ -> SMSStatusAnswer in
            let runtime = try await smsRuntime(site)
            var modems: [ModemSupervisor.Status] = []
            for modem in runtime.modems { modems.append(await modem.currentStatus()) }
            return SMSStatusAnswer(
                transports: await runtime.gateway.status(), modems: modems, simulatedModem: await runtime.simulatedModem?.status(),
                recent: await runtime.gateway.recent())
        }
        let simulation = v1.group("simulation/sms")
        simulation.post("inbound") { request, _ -> WebhookAnswer in
            let modem = try await simulatedModem(site)
            let body = try await decodeBody(InboundBody.self, from: request, example: #"{"from": "+491701234567", "text": "A3"}"#)
            do {
                try await modem.deliver(text: body.text, from: body.from)
            } catch {
                throw APIError(status: .badRequest, message: "the text cannot be delivered: \(error)")
            }
            return WebhookAnswer(accepted: true)
        }
        simulation.get("sent") { request, _ -> SentAnswer in
            // The sent texts hold receipt PINs: operator scope only, even though this only reads.
            let presented = request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) } ?? ""
            guard tokens.scope(of: presented.trimmingCharacters(in: .whitespaces)) == .operator else {
                throw APIError(status: .forbidden, message: "GET /v1/simulation/sms/sent needs operator scope: "
                    + "the sent texts contain receipt PINs. Use the operator token (edge-agent token)")
            }
            return SentAnswer(messages: try await simulatedModem(site).sent())
        }
        simulation.post("modem") { request, _ -> SimulatedModem.Status in
            let modem = try await simulatedModem(site)
            let body = try await decodeBody(ModemBody.self, from: request, example: #"{"answering": false}"#)
            await modem.setAnswering(body.answering)
            return await modem.status()
        }
    }

    static func smsRuntime(_ site: SiteController) async throws -> SMSRuntime {
        guard let runtime = await site.smsRuntime() else {
            throw APIError(status: .notFound, message: "SMS is not configured on this site; add `sms:` to the site file")
        }
        return runtime
    }

    static func simulatedModem(_ site: SiteController) async throws -> SimulatedModem {
        guard let modem = try await smsRuntime(site).simulatedModem else {
            throw APIError(status: .notFound, message: "no simulated modem runs here; use `sms.transports: [{kind: simulated-modem}]` on the simulated site")
        }
        return modem
    }
}

extension SimulatedModem.Status: ResponseEncodable {}
