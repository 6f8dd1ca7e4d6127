import Foundation
import LockerIO
import Logging
import ServiceLifecycle
import SMSAuth

/// How inbound webhooks of the HTTP SMS gateway are checked (`POST /v1/sms/inbound`).
public struct SMSWebhookVerifier: Sendable {
    public var scheme: GatewaySignatureScheme
    public var secret: [UInt8]
    /// Twilio: the URL the gateway calls, exactly as it signs it.
    public var publicURL: String?

    /// True when the request is signed by the gateway. `headers` are looked up case-insensitively.
    public func verify(body: [UInt8], header: (String) -> String?) -> Bool {
        guard !secret.isEmpty, let presented = header(scheme.header) else { return false }
        switch scheme {
        case .hmacSHA256:
            return GatewaySignature.verifyHMACSHA256(body: body, presented: presented, secret: secret)
        case .twilio:
            guard let publicURL else { return false }
            return GatewaySignature.verifyTwilio(
                url: publicURL, parameters: GatewaySignature.formParameters(body), presented: presented, authToken: secret)
        }
    }
}

/// The running SMS part of the daemon: the gateway with its transports, the modem supervisors, the
/// simulated modem on the simulated site, and the webhook settings. Runs as a service of the daemon's
/// group: the modems are served until graceful shutdown.
public final class SMSRuntime: Service, Sendable {
    public let gateway: SMSGateway
    public let modems: [ModemSupervisor]
    public let simulatedModem: SimulatedModem?
    public let webhook: SMSWebhookVerifier?

    init(gateway: SMSGateway, modems: [ModemSupervisor], simulatedModem: SimulatedModem?, webhook: SMSWebhookVerifier?) {
        self.gateway = gateway
        self.modems = modems
        self.simulatedModem = simulatedModem
        self.webhook = webhook
    }

    public func run() async throws {
        let tasks = modems.map { modem in Task { await modem.run() } }
        try? await gracefulShutdown()
        // Not awaited: a hung modem must not hold up the shutdown for a command timeout; each port closes as its
        // supervisor notices the cancellation.
        for task in tasks { task.cancel() }
        await gateway.stop()
        await simulatedModem?.stop()
    }
}

/// Builds the SMS part from the site file (docs/sms.md): intake, transports, and the site's SMS state.
public enum SMSSetup {
    public static let idTagSecretFileName = "sms-idtag-secret"

    /// nil when the site has no `sms:` section, or when its settings cannot be used (logged).
    public static func start(
        configuration: SiteConfiguration, site: SiteController, uplink: OCPPUplink?, logger: Logger
    ) async -> SMSRuntime? {
        guard let sms = configuration.sms else { return nil }
        let log = logger.with(label: "edge-agent.sms")
        let settings = sms.settings
        let intake: SMSIntake
        let templates: SMSTemplates
        do {
            templates = try settings.resolvedTemplates()
            let directory = try CompartmentDirectory(names: configuration.compartments.map(\.name))
            let rule: IdTagRule
            switch settings.idTagRule {
            case .plainDigits: rule = .plainDigits
            case .keyedHash:
                let secret = try idTagSecret(settings: settings, storageFolder: configuration.storage.folder, logger: log)
                rule = try IdTagRule.keyedHash(siteSecret: secret, prefix: settings.idTagPrefix)
            }
            intake = SMSIntake(
                senderPolicy: try SenderPolicy(blockList: settings.blockList, countryCode: settings.countryCode),
                parser: SMSCommandParser(directory: directory, defaultLanguage: settings.language),
                idTagRule: rule, rateLimits: settings.rateLimits, templates: templates)
        } catch {
            log.critical("SMS is off: its settings cannot be used", metadata: ["error": "\(error)"])
            return nil
        }
        let gateway = SMSGateway(logger: log)
        var modems: [ModemSupervisor] = []
        var simulated: SimulatedModem?
        var webhook: SMSWebhookVerifier?
        for transport in sms.transports {
            let options = transport.options
            switch transport.kind {
            case .modem, .simulatedModem:
                var device = transport.device ?? ""
                if transport.kind == .simulatedModem {
                    guard configuration.isSimulated else {
                        log.error("the simulated modem runs only on the simulator board; transport skipped")
                        continue
                    }
                    do {
                        let modem = try SimulatedModem(logger: log)
                        await modem.start()
                        simulated = modem
                        device = modem.devicePath
                    } catch {
                        log.error("simulated modem not started", metadata: ["error": "\(error)"])
                        continue
                    }
                }
                let pin = transport.simPinFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                let power = await powerLine(options, configuration: configuration, site: site, logger: log)
                let powerCycle: (@Sendable () async -> Void)? = power.map { line in { @Sendable in await line.cycle() } }
                let supervisor = ModemSupervisor(
                    settings: .init(
                        device: device, baud: transport.baud ?? 115_200,
                        modem: .init(simPIN: pin, commandTimeout: .seconds(options.commandTimeoutSeconds)),
                        probeInterval: .seconds(options.probeIntervalSeconds), reopenDelay: .seconds(options.reopenDelaySeconds)),
                    powerCycle: powerCycle,
                    logger: log)
                modems.append(supervisor)
                await gateway.add(name: transport.kind.rawValue, transport: supervisor)
            case .httpGateway:
                let token = transport.tokenFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                if let url = transport.url {
                    await gateway.add(name: transport.kind.rawValue, transport: HTTPGatewayTransport(url: url, token: token, from: options.from))
                }
                let secret = options.secretFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                if let secret, !secret.isEmpty {
                    webhook = SMSWebhookVerifier(scheme: options.signature, secret: Array(secret.utf8), publicURL: options.publicURL)
                } else {
                    log.error("the SMS gateway webhook has no readable secret file; every inbound webhook is refused")
                }
            case .centralSystem:
                guard let uplink else {
                    log.error("SMS through the central system needs `centralSystem:` in the site file; transport skipped")
                    continue
                }
                await CentralSystemSMSTransport.registerInbound(on: uplink.dataTransferRouter, gateway: gateway)
                await gateway.add(name: transport.kind.rawValue, transport: CentralSystemSMSTransport(uplink: uplink))
            }
        }
        await gateway.start()
        let runtime = SMSRuntime(gateway: gateway, modems: modems, simulatedModem: simulated, webhook: webhook)
        await site.startSMS(runtime: runtime, intake: intake, templates: templates, settings: settings)
        let names = await gateway.transportNames
        log.info("SMS ready", metadata: ["transports": "\(names.joined(separator: ", "))"])
        return runtime
    }

    /// The modem's power line on the site's GPIO (the simulated locker's lines on the simulator board), or nil.
    static func powerLine(
        _ options: SMSTransportOptions, configuration: SiteConfiguration, site: SiteController, logger: Logger
    ) async -> ModemPowerLine? {
        guard let reference = options.powerLine else { return nil }
        let backend: any GPIOBackend = site.hardware?.simulation ?? LibgpiodBackend(logger: logger)
        do {
            return try await ModemPowerLine(
                backend: backend, line: HardwareLayout.lineConfig(reference), offTime: .seconds(options.powerOffSeconds),
                logger: logger)
        } catch {
            logger.error("the modem's power line cannot be used; the modem is not power-cycled",
                         metadata: ["line": "\(reference.displayName)", "error": "\(error)"])
            return nil
        }
    }

    /// The keyed-hash secret: the configured file, else `<storage>/sms-idtag-secret`, generated once
    /// (32 random bytes as hex, mode 0600). Changing it changes every SMS driver's idTag.
    static func idTagSecret(settings: SMSSettings, storageFolder: String, logger: Logger) throws -> [UInt8] {
        let path = settings.idTagSecretFile ?? URL(fileURLWithPath: storageFolder).appendingPathComponent(idTagSecretFileName).path
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            return Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        }
        guard settings.idTagSecretFile == nil else { throw SMSSetupError.secretUnreadable(path: path) }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SMSSetupError.secretUnreadable(path: path)
        }
        logger.notice("generated the SMS idTag secret", metadata: ["file": "\(path)"])
        return Array(secret.utf8)
    }
}

public enum SMSSetupError: Error, CustomStringConvertible {
    case secretUnreadable(path: String)

    public var description: String {
        switch self {
        case let .secretUnreadable(path):
            "the SMS idTag secret file \(path) cannot be read or written; create it with `openssl rand -hex 32 > \(path)`"
        }
    }
}
