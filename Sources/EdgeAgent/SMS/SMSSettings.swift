import Foundation
import SMSAuth
import Yams

/// How a site handles SMS (the `sms:` section beyond `shortCode` and `transports`; docs/sms.md and
/// docs/configuration.md list every key). Defaults are the documented ones.
public struct SMSSettings: Sendable, Equatable, Codable {
    public enum IdTagRuleKind: String, Sendable, Equatable, Codable, CaseIterable {
        case keyedHash = "keyed-hash"
        case plainDigits = "plain-digits"
    }

    /// Reply language when the text has no language-specific word.
    public var language: SMSLanguage = .de
    /// Country code for national numbers ("49"); nil: national numbers get no answer.
    public var countryCode: String?
    public var idTagRule: IdTagRuleKind = .keyedHash
    public var idTagPrefix: String = IdTagRule.defaultPrefix
    /// File with the keyed-hash secret (absolute); nil: `<storage folder>/sms-idtag-secret`, generated once.
    public var idTagSecretFile: String?
    /// Accept every mobile sender without asking the authorization chain (the carrier bills the SMS).
    public var acceptAnyMobileSender = false
    public var blockList: [String] = []
    public var pinLength = 6
    public var perSenderBurst = 5
    public var perSenderRefillSeconds: Double = 60
    public var perSiteBurst = 30
    public var perSiteRefillSeconds: Double = 6
    public var keypadFreeAttempts = 3
    public var keypadLockoutSeconds: Double = 30
    public var keypadMaxLockoutSeconds: Double = 900
    /// Numbers that get operator alerts.
    public var alertNumbers: [String] = []
    /// An uplink down longer than this is reported.
    public var alertUplinkDownAfterSeconds: Double = 600
    /// The same alert (kind and compartment) at most once per this interval.
    public var alertMinimumIntervalSeconds: Double = 900
    /// Template overrides: language code -> template key -> text.
    public var templates: [String: [String: String]] = [:]

    public init() {}

    public var rateLimits: RateLimitPolicy {
        RateLimitPolicy(perSenderBurst: perSenderBurst, perSenderRefill: perSenderRefillSeconds,
                        perSiteBurst: perSiteBurst, perSiteRefill: perSiteRefillSeconds)
    }

    public var keypadLockout: KeypadLockoutPolicy {
        KeypadLockoutPolicy(freeAttempts: keypadFreeAttempts, baseDelay: keypadLockoutSeconds, maxDelay: keypadMaxLockoutSeconds)
    }

    /// The built-in templates with the site's overrides (validated when the file was read).
    public func resolvedTemplates() throws(SMSTemplateError) -> SMSTemplates {
        try SMSTemplates.builtIn.overriding(Self.templateOverrides(templates))
    }

    static func templateOverrides(_ raw: [String: [String: String]]) -> [SMSLanguage: [SMSTemplateKey: String]] {
        var overrides: [SMSLanguage: [SMSTemplateKey: String]] = [:]
        for (code, texts) in raw {
            guard let language = SMSLanguage(rawValue: code) else { continue }
            for (name, text) in texts {
                if let key = SMSTemplateKey(rawValue: name) { overrides[language, default: [:]][key] = text }
            }
        }
        return overrides
    }
}

/// Per-transport settings beyond kind, device, baud, simPinFile, url and tokenFile.
public struct SMSTransportOptions: Sendable, Equatable, Codable {
    /// modem / simulated-modem: time for an AT command to answer.
    public var commandTimeoutSeconds: Double = 10
    /// modem / simulated-modem: time between health probes of a working modem.
    public var probeIntervalSeconds: Double = 30
    /// modem / simulated-modem: pause before the port is opened again after a failure.
    public var reopenDelaySeconds: Double = 5
    /// modem: the GPIO output that powers the modem (active = powered); power-cycled before a reopen.
    public var powerLine: GPIOLineReference?
    /// modem: how long the power stays off in a power cycle.
    public var powerOffSeconds: Double = 3
    /// http-gateway: how inbound webhooks are signed.
    public var signature: GatewaySignatureScheme = .hmacSHA256
    /// http-gateway: file with the webhook secret (HMAC key or Twilio auth token), absolute.
    public var secretFile: String?
    /// http-gateway, twilio: the full URL the gateway calls (what it signs), e.g. https://locker.example.com/v1/sms/inbound.
    public var publicURL: String?
    /// http-gateway: the sender number or name outgoing SMS carry.
    public var from: String?

    public init() {}
}

extension SiteDocumentDecoder {
    static let smsKeys = [
        "shortCode", "transports", "language", "countryCode", "idTag", "acceptAnyMobileSender", "blockList", "pinLength",
        "rateLimits", "keypadLockout", "alerts", "templates",
    ]

    func decodeSMS(_ sms: ConfigurationYAMLMapping) -> SMSConfiguration {
        let transports = (sms.sequence("transports") ?? []).compactMap { decodeSMSTransportEntry($0.node, path: $0.path) }
        if !sms.has("transports") { sms.reportMissing("transports", hint: "[{kind: modem, device: /dev/ttyUSB2}]") }
        var settings = SMSSettings()
        if sms.has("language"), let language = sms.choice("language", SMSLanguage.self) { settings.language = language }
        settings.countryCode = sms.string("countryCode").map { $0.hasPrefix("+") ? String($0.dropFirst()) : $0 }
        if let code = settings.countryCode, code.isEmpty || code.count > 3 || !code.allSatisfy(\.isNumber) {
            log.report(sms.childPath("countryCode"), "'\(code)' is not a country calling code; write e.g. 49")
        }
        if let idTag = sms.mapping("idTag", known: ["rule", "prefix", "secretFile"]) {
            if idTag.has("rule"), let rule = idTag.choice("rule", SMSSettings.IdTagRuleKind.self) { settings.idTagRule = rule }
            settings.idTagPrefix = idTag.string("prefix") ?? settings.idTagPrefix
            settings.idTagSecretFile = idTag.string("secretFile").map(resolve)
            if settings.idTagRule == .keyedHash {
                do throws(IdTagRuleError) {
                    _ = try IdTagRule.keyedHash(
                        siteSecret: Array(repeating: 0, count: IdTagRule.minimumSecretLength), prefix: settings.idTagPrefix)
                } catch {
                    log.report(idTag.childPath("prefix"), error.description)
                }
            }
        }
        settings.acceptAnyMobileSender = sms.bool("acceptAnyMobileSender") ?? false
        if let entries = sms.sequence("blockList") {
            for entry in entries {
                guard case .scalar(let scalar) = entry.node else {
                    log.report(entry.path, "expected a phone number or a prefix ending in *")
                    continue
                }
                settings.blockList.append(scalar.string)
                do throws(SenderPolicyError) {
                    _ = try SenderPolicy(blockList: [scalar.string], countryCode: settings.countryCode)
                } catch {
                    log.report(entry.path, error.description)
                }
            }
        }
        settings.pinLength = sms.int("pinLength") ?? settings.pinLength
        if !(4...10).contains(settings.pinLength) {
            log.report(sms.childPath("pinLength"), "receipt PIN length \(settings.pinLength) is out of range; use 4 to 10 digits (default 6)")
        }
        if let limits = sms.mapping("rateLimits", known: ["perSenderBurst", "perSenderRefillSeconds", "perSiteBurst", "perSiteRefillSeconds"]) {
            settings.perSenderBurst = positive(limits, "perSenderBurst") ?? settings.perSenderBurst
            settings.perSenderRefillSeconds = positive(limits, "perSenderRefillSeconds") ?? settings.perSenderRefillSeconds
            settings.perSiteBurst = positive(limits, "perSiteBurst") ?? settings.perSiteBurst
            settings.perSiteRefillSeconds = positive(limits, "perSiteRefillSeconds") ?? settings.perSiteRefillSeconds
        }
        if let lockout = sms.mapping("keypadLockout", known: ["freeAttempts", "lockoutSeconds", "maxLockoutSeconds"]) {
            settings.keypadFreeAttempts = positive(lockout, "freeAttempts") ?? settings.keypadFreeAttempts
            settings.keypadLockoutSeconds = positive(lockout, "lockoutSeconds") ?? settings.keypadLockoutSeconds
            settings.keypadMaxLockoutSeconds = positive(lockout, "maxLockoutSeconds") ?? settings.keypadMaxLockoutSeconds
        }
        if let alerts = sms.mapping("alerts", known: ["numbers", "uplinkDownAfterSeconds", "minimumIntervalSeconds"]) {
            for entry in alerts.sequence("numbers") ?? [] {
                guard case .scalar(let scalar) = entry.node, E164Number(normalizing: scalar.string, countryCode: settings.countryCode) != nil else {
                    log.report(entry.path, "not a phone number; write alert numbers as +49...")
                    continue
                }
                settings.alertNumbers.append(scalar.string)
            }
            settings.alertUplinkDownAfterSeconds = positive(alerts, "uplinkDownAfterSeconds") ?? settings.alertUplinkDownAfterSeconds
            settings.alertMinimumIntervalSeconds = positive(alerts, "minimumIntervalSeconds") ?? settings.alertMinimumIntervalSeconds
        }
        if let templates = sms.mapping("templates", known: SMSLanguage.allCases.map(\.rawValue)) {
            for language in SMSLanguage.allCases {
                guard let texts = templates.mapping(language.rawValue, known: SMSTemplateKey.allCases.map(\.rawValue)) else { continue }
                for key in SMSTemplateKey.allCases {
                    guard let text = texts.string(key.rawValue) else { continue }
                    do throws(SMSTemplateError) {
                        _ = try SMSTemplates.builtIn.overriding([language: [key: text]])
                        settings.templates[language.rawValue, default: [:]][key.rawValue] = text
                    } catch {
                        log.report(texts.childPath(key.rawValue), error.description)
                    }
                }
            }
        }
        var configuration = SMSConfiguration(shortCode: sms.string("shortCode"), transports: transports)
        configuration.settings = settings
        return configuration
    }

    private func positive(_ mapping: ConfigurationYAMLMapping, _ key: String) -> Int? {
        guard let value = mapping.int(key) else { return nil }
        guard value > 0 else {
            log.report(mapping.childPath(key), "must be more than 0")
            return nil
        }
        return value
    }

    private func positive(_ mapping: ConfigurationYAMLMapping, _ key: String) -> Double? {
        guard let value = mapping.double(key) else { return nil }
        guard value > 0 else {
            log.report(mapping.childPath(key), "must be more than 0")
            return nil
        }
        return value
    }

    func decodeSMSTransportEntry(_ node: Node, path: String) -> SMSTransportConfiguration? {
        guard let item = ConfigurationYAMLMapping(node, path: path, log: log, known: [
            "kind", "device", "baud", "simPinFile", "url", "tokenFile", "commandTimeoutSeconds", "probeIntervalSeconds",
            "reopenDelaySeconds", "signature", "secretFile", "publicURL", "from", "powerLine", "powerOffSeconds",
        ]) else { return nil }
        guard item.has("kind") else {
            item.reportMissing("kind", hint: "modem  # or simulated-modem, http-gateway, central-system")
            return nil
        }
        guard let kind = item.choice("kind", SMSTransportConfiguration.Kind.self) else { return nil }
        var transport = SMSTransportConfiguration(
            kind: kind, device: item.string("device"),
            baud: item.int("baud") ?? (kind == .modem || kind == .simulatedModem ? 115_200 : nil),
            simPinFile: item.string("simPinFile").map(resolve), url: item.string("url"),
            tokenFile: item.string("tokenFile").map(resolve))
        var options = SMSTransportOptions()
        options.commandTimeoutSeconds = positive(item, "commandTimeoutSeconds") ?? options.commandTimeoutSeconds
        options.probeIntervalSeconds = positive(item, "probeIntervalSeconds") ?? options.probeIntervalSeconds
        options.reopenDelaySeconds = positive(item, "reopenDelaySeconds") ?? options.reopenDelaySeconds
        options.powerLine = item.string("powerLine").map { GPIOLineReference(written: $0, activeLow: false) }
        options.powerOffSeconds = positive(item, "powerOffSeconds") ?? options.powerOffSeconds
        if item.has("signature"), let scheme = item.choice("signature", GatewaySignatureScheme.self) { options.signature = scheme }
        options.secretFile = item.string("secretFile").map(resolve)
        options.publicURL = item.string("publicURL")
        options.from = item.string("from")
        // Without `secretFile` the gateway only sends; every inbound webhook is refused (logged at start).
        if kind == .httpGateway, options.signature == .twilio, options.publicURL == nil {
            item.reportMissing("publicURL", hint: "https://locker.example.com/v1/sms/inbound  # the URL Twilio signs")
        }
        transport.options = options
        return transport
    }
}
