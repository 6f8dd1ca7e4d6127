import Foundation
import LockerIO
import Metrics
import SMSAuth

/// SMS sessions in the site controller (docs/sms.md). A text passes the intake (sender rules, rate
/// limits, parser, idTag rule); a start authorizes the sender's idTag through the same
/// `IdTagAuthorizing` path as a card (or the site's accept-any-mobile policy) and hands the waiting
/// door's machine a `.cardAuthorized` with method `sms`, after the PIN digest is committed with the
/// session id. The messages that follow a session (confirmation with the PIN, charge complete,
/// receipt) are sent when its committed record changes state, so each goes out once.
extension SiteController {
    // MARK: Start-up

    /// Loads the open SMS sessions and starts following inbound texts. Call after `startSessions`.
    func startSMS(runtime: SMSRuntime, intake: SMSIntake, templates: SMSTemplates, settings: SMSSettings) {
        guard smsView.runtime == nil else { return }
        smsView.runtime = runtime
        smsView.intake = intake
        smsView.templates = templates
        smsView.settings = settings
        smsView.pinIssuer = try? ReceiptPINIssuer(length: settings.pinLength)
        smsView.lockouts = KeypadLockouts(policy: settings.keypadLockout)
        smsView.alertNumbers = settings.alertNumbers.compactMap { E164Number(normalizing: $0, countryCode: settings.countryCode) }
        do {
            for link in try store.openSMSSessionLinks() {
                // A link whose session is no longer open (ended while the daemon was down) is closed now.
                if sessionView.machines[link.compartment]?.openSession?.id == link.sessionId {
                    smsView.links[link.sessionId] = link
                    smsView.seenStates[link.sessionId] = sessionView.machines[link.compartment]?.openSession?.state
                } else {
                    try store.closeSMSSessionLink(sessionId: link.sessionId, at: Date())
                }
            }
        } catch {
            logger.error("open SMS sessions unreadable; their receipt PINs do not work until the next start",
                         metadata: ["error": "\(error)"])
        }
        let inbound = runtime.gateway.incoming
        smsView.tasks.append(Task { [weak self] in
            for await text in inbound { await self?.smsReceived(text) }
        })
        for supervisor in runtime.modems {
            let failures = supervisor.failures
            smsView.tasks.append(Task { [weak self] in
                for await detail in failures { await self?.smsAlert(key: "modem", .alertModemFailure(site: "", detail: detail)) }
            })
        }
        smsView.tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await self?.smsWatchUplink()
                for supervisor in runtime.modems { Self.publishModemMetrics(await supervisor.currentStatus()) }
            }
        })
    }

    /// The SMS runtime (transports, simulated modem, webhook settings) for the local API; nil without SMS.
    public func smsRuntime() -> SMSRuntime? { smsView.runtime }

    // MARK: Inbound texts

    func smsReceived(_ inbound: InboundText) async {
        guard var intake = smsView.intake else { return }
        let outcome = intake.receive(sender: inbound.from, text: inbound.text, at: Date())
        smsView.intake = intake
        switch outcome {
        case .ignored(let reason):
            // No reply at all: automated senders and blocked numbers must never start a loop.
            logger.info("SMS ignored", metadata: ["reason": "\(Self.describe(reason))", "via": "\(inbound.via)"])
            Counter(label: "edge_agent_sms_ignored_total").increment()
        case .rateLimited(let sender, let reply):
            logger.notice("SMS over the rate limit", metadata: ["via": "\(inbound.via)", "notified": "\(reply != nil)"])
            if let reply { smsView.runtime?.gateway.send(reply, to: sender, preferring: inbound.via) }
        case .command(let command):
            await smsCommand(command, via: inbound.via)
        }
    }

    private static func describe(_ reason: SenderPolicy.IgnoreReason) -> String {
        switch reason {
        case .alphanumericSender: "alphanumeric sender"
        case .shortCode: "short code"
        case .invalidNumber: "not a phone number"
        case .blocked: "number on the block list"
        }
    }

    private func smsCommand(_ command: InboundCommand, via: String) async {
        let sender = command.sender
        let language = command.parsed.language
        let example = configuration.compartments.first?.name ?? "A1"
        func reply(_ message: SMSMessage) { smsSend(message, to: sender, language: language, via: via) }
        switch command.parsed.command {
        case .help:
            reply(.help(example: example))
        case .unknown(.unknownCompartment(let name)):
            reply(.unknownCompartment(compartment: name, example: example))
        case .unknown(.missingCompartment(intent: .stop)):
            let own = smsOpenSessions(of: sender)
            if own.count == 1, let only = own.first {
                smsStop(only.compartment, command: command, via: via)
            } else {
                reply(.missingCompartment(example: example))
            }
        case .unknown(.missingCompartment(intent: .start)):
            reply(.missingCompartment(example: example))
        case .unknown:
            reply(.notUnderstood(example: example))
        case .status(let name):
            let own = smsOpenSessions(of: sender).filter { name == nil || $0.compartment == name }
            if own.isEmpty {
                reply(name.map { .noActiveSession(compartment: $0) } ?? .statusIdle(example: example))
            }
            for record in own { reply(smsStatusMessage(record)) }
        case .start(let name):
            await smsStart(name, command: command, via: via)
        case .stop(let name):
            smsStop(name, command: command, via: via)
        case .toggle(let name):
            if smsOpenSessions(of: sender).contains(where: { $0.compartment == name }) {
                smsStop(name, command: command, via: via)
            } else {
                await smsStart(name, command: command, via: via)
            }
        }
    }

    /// The sender's open sessions (those its PIN still opens).
    func smsOpenSessions(of sender: E164Number) -> [SessionRecord] {
        smsView.links.values.filter { $0.sender == sender.description }.compactMap { link in
            sessionView.machines[link.compartment]?.openSession.flatMap { $0.id == link.sessionId ? $0 : nil }
        }
    }

    private func smsStart(_ name: String, command: InboundCommand, via: String) async {
        let sender = command.sender
        let language = command.parsed.language
        func reply(_ message: SMSMessage) { smsSend(message, to: sender, language: language, via: via) }
        guard let compartment = configuration.compartment(named: name), let machine = sessionView.machines[compartment.name] else {
            reply(.unknownCompartment(compartment: name, example: configuration.compartments.first?.name ?? name))
            return
        }
        let state = compartmentStates[compartment.connectorId]?.status ?? "Available"
        if let open = machine.openSession {
            // Someone's session holds the door: the owner hears how it goes, anyone else only that it is busy.
            if smsView.links[open.id]?.sender == sender.description {
                reply(smsStatusMessage(open))
            } else {
                reply(.compartmentBusy(compartment: compartment.name))
            }
            return
        }
        guard state != "Faulted", state != "Unavailable", machine.fault == nil else {
            reply(.outOfService(compartment: compartment.name))
            return
        }
        if machine.session?.state == .finishing || state == "Reserved" {
            reply(.compartmentBusy(compartment: compartment.name))
            return
        }
        guard machine.waitingSince != nil else {
            reply(.closeDoorFirst(compartment: compartment.name))
            return
        }
        guard !smsView.authorizing.contains(compartment.name), !sessionView.authorizing.contains(compartment.name) else {
            reply(.compartmentBusy(compartment: compartment.name))
            return
        }
        smsView.authorizing.insert(compartment.name)
        let outcome: AuthorizationOutcome
        if smsView.settings.acceptAnyMobileSender {
            outcome = AuthorizationOutcome(status: .accepted, source: .offlinePolicy)
        } else if let authorizer = sessionView.authorizer {
            outcome = await authorizer.authorize(idTag: command.idTag)
        } else {
            outcome = AuthorizationOutcome(status: .invalid, source: .offlinePolicy)
        }
        smsView.authorizing.remove(compartment.name)
        logger.info("SMS authorization", metadata: [
            "compartment": "\(compartment.name)", "status": "\(outcome.status.rawValue)", "source": "\(outcome.source.rawValue)",
            "policy": "\(smsView.settings.acceptAnyMobileSender ? "acceptAnyMobileSender" : "authorizer")",
        ])
        guard outcome.isAccepted else {
            reply(.authorizationRefused(compartment: compartment.name))
            return
        }
        // The door may have moved while the authorization was asked for.
        guard let current = sessionView.machines[compartment.name], current.waitingSince != nil, current.openSession == nil else {
            reply(.closeDoorFirst(compartment: compartment.name))
            return
        }
        guard let issuer = smsView.pinIssuer else { return }
        let issued: (pin: ReceiptPIN, digest: ReceiptPINDigest)
        do {
            issued = try issuer.issue(avoiding: smsView.openDigests)
        } catch {
            logger.error("no receipt PIN could be issued; the SMS start is refused", metadata: ["error": "\(error)"])
            reply(.outOfService(compartment: compartment.name))
            return
        }
        let sessionId = UUID().uuidString.lowercased()
        let link = SMSSessionLink(
            sessionId: sessionId, compartment: compartment.name, sender: sender.description, language: language.rawValue,
            pinDigest: issued.digest.encoded, createdAt: Date())
        do {
            try store.saveSMSSessionLink(link)
        } catch {
            logger.critical("SMS session not committed; nothing is started", metadata: ["error": "\(error)"])
            reply(.outOfService(compartment: compartment.name))
            return
        }
        smsView.links[sessionId] = link
        smsView.pendingPINs[sessionId] = issued.pin
        smsView.replyVia[sessionId] = via
        if let reading = await meterReading(compartment.name), reading.at > (sessionView.meterFedAt[compartment.name] ?? .distantPast) {
            sessionView.meterFedAt[compartment.name] = reading.at
            feedSession(compartment.name, .meter(reading))
        }
        feedSession(compartment.name, .cardAuthorized(idTag: command.idTag, outcome: outcome, method: .sms, sessionId: sessionId))
        if let machine = sessionView.machines[compartment.name], machine.session?.id != sessionId {
            smsForget(sessionId)
            // A closed door that still did not start was refused for someone else (a reservation): busy.
            reply(machine.waitingSince != nil ? .compartmentBusy(compartment: compartment.name)
                                              : .closeDoorFirst(compartment: compartment.name))
        }
    }

    private func smsStop(_ name: String, command: InboundCommand, via: String) {
        let sender = command.sender
        func reply(_ message: SMSMessage) { smsSend(message, to: sender, language: command.parsed.language, via: via) }
        guard let compartment = configuration.compartment(named: name) else {
            reply(.unknownCompartment(compartment: name, example: configuration.compartments.first?.name ?? name))
            return
        }
        guard let open = sessionView.machines[compartment.name]?.openSession,
              let link = smsView.links[open.id], link.sender == sender.description else {
            // Another sender's session (or none): nothing stops, nothing opens, and nothing is told about it.
            reply(.noActiveSession(compartment: compartment.name))
            return
        }
        guard open.state != .locking else { return }  // the confirmation is on its way; a stop now would race the lock
        smsView.replyVia[open.id] = via
        logger.info("SMS stop by the session's sender", metadata: ["compartment": "\(compartment.name)", "session": "\(open.id)"])
        feedSession(compartment.name, .stopWithCard(idTag: open.idTag, parentIdTag: nil))
    }

    // MARK: Messages that follow a session

    /// Called for every committed session record: sends the confirmation when charging starts, the
    /// charge-complete note, and the receipt when the session ends; a start that failed is explained.
    func smsSessionCommitted(_ record: SessionRecord) {
        guard let link = smsView.links[record.id] else { return }
        let previous = smsView.seenStates[record.id]
        guard previous != record.state else { return }
        smsView.seenStates[record.id] = record.state
        let language = SMSLanguage(rawValue: link.language) ?? smsView.settings.language
        guard let sender = E164Number(normalizing: link.sender) else { return }
        let via = smsView.replyVia[record.id]
        switch record.state {
        case .locking:
            break
        case .charging where previous == .locking || previous == nil:
            guard let pin = smsView.pendingPINs.removeValue(forKey: record.id) ?? smsReissuePIN(record.id) else { return }
            smsSend(.confirmation(compartment: record.compartment, price: smsPrice(record.connectorId), pin: pin),
                    to: sender, language: language, via: via)
        case .chargeComplete:
            smsSend(.chargeComplete(
                compartment: record.compartment, energyWh: Int((record.energyWh ?? 0).rounded()),
                duration: record.occupiedSeconds(now: Date())), to: sender, language: language, via: via)
        case .charging, .suspendedByLocker:
            break
        case .finishing:
            let reference = record.centralTransactionId.map(String.init) ?? String(record.id.prefix(8)).uppercased()
            smsSend(.receipt(
                compartment: record.compartment, duration: record.occupiedSeconds(now: Date()),
                energyWh: Int((record.energyWh ?? 0).rounded()), amount: smsAmount(record), reference: reference),
                    to: sender, language: language, via: via)
            smsClose(record.id)
        case .closed:
            if previous == .locking || previous == nil {
                // The door opened or did not lock before charging started: no session, no charge.
                smsSend(.outOfService(compartment: record.compartment), to: sender, language: language, via: via)
            }
            smsClose(record.id)
        }
    }

    /// The PIN is only kept in memory until the confirmation; after a restart in between a new one is issued.
    private func smsReissuePIN(_ sessionId: String) -> ReceiptPIN? {
        guard var link = smsView.links[sessionId], let issuer = smsView.pinIssuer,
              let issued = try? issuer.issue(avoiding: smsView.openDigests) else { return nil }
        link.pinDigest = issued.digest.encoded
        guard (try? store.saveSMSSessionLink(link)) != nil else { return nil }
        smsView.links[sessionId] = link
        return issued.pin
    }

    private func smsClose(_ sessionId: String) {
        do {
            try store.closeSMSSessionLink(sessionId: sessionId, at: Date())
        } catch {
            logger.error("SMS session end not recorded; its PIN stops working anyway", metadata: ["error": "\(error)"])
        }
        smsForget(sessionId)
    }

    private func smsForget(_ sessionId: String) {
        smsView.links[sessionId] = nil
        smsView.pendingPINs[sessionId] = nil
        smsView.seenStates[sessionId] = nil
        smsView.replyVia[sessionId] = nil
    }

    private func smsStatusMessage(_ record: SessionRecord) -> SMSMessage {
        .status(compartment: record.compartment, duration: record.occupiedSeconds(now: Date()),
                energyWh: Int((record.energyWh ?? 0).rounded()), amount: smsAmount(record))
    }

    /// The tariff's price in words (Tariffs/), or free when nothing is charged there.
    private func smsPrice(_ connectorId: Int) -> PriceQuote {
        guard let tariff = tariff(forConnector: connectorId) else { return PriceQuote() }
        return PriceQuote(described: [.de: tariff.priceDescription(.german), .en: tariff.priceDescription(.english)])
    }

    private func smsAmount(_ record: SessionRecord) -> Money {
        guard let tariff = tariff(forConnector: record.connectorId) else { return Money(minorUnits: 0) }
        let amount = tariff.amount(for: TariffSessionFacts(
            occupiedSeconds: record.occupiedSeconds(now: Date()), energyWh: record.energyWh ?? 0, parentIdTag: record.parentIdTag))
        let cents = NSDecimalNumber(decimal: Tariff.roundedToCents(amount) * 100).intValue
        return Money(minorUnits: cents, currency: tariff.currency)
    }

    func smsSend(_ message: SMSMessage, to recipient: E164Number, language: SMSLanguage, via: String?) {
        guard let runtime = smsView.runtime else { return }
        runtime.gateway.send(smsView.templates.render(message, in: language), to: recipient, preferring: via)
    }

    func stopSMS() {
        for task in smsView.tasks { task.cancel() }
        smsView.tasks = []
    }
}
