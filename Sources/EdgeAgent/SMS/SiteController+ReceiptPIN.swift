import Foundation
import Metrics
import SMSAuth

/// Receipt PINs typed at a keypad (docs/sms.md, "Receipt PIN at the keypad").
extension SiteController {
    /// A keypad entry that is not a compartment number: a receipt PIN ends its session and unlocks. Wrong
    /// PINs lock the keypad for a growing time; every attempt is in the audit log (never the digits).
    func receiptPINEntered(_ text: String, reader: String) {
        guard smsView.runtime != nil, (4...10).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return }
        let now = Date()
        let keypadCompartment = configuration.keypads.first { $0.name == reader }?.compartment
            ?? configuration.rfidReaders.first { $0.name == reader }?.compartment
        if case .locked(let until) = smsView.lockouts.check(keypad: reader, at: now) {
            smsKeypadEvent(reader, compartment: keypadCompartment, outcome: "lockedOut",
                           audit: "receipt PIN ignored: keypad locked for \(Int(until.timeIntervalSince(now).rounded(.up))) s more")
            return
        }
        let candidates = smsView.links.values.filter { link in
            keypadCompartment.map { configuration.compartment(named: $0)?.name == link.compartment } ?? true
        }
        guard let link = candidates.first(where: { ReceiptPINDigest(encoded: $0.pinDigest)?.matches(text) == true }),
              let open = sessionView.machines[link.compartment]?.openSession, open.id == link.sessionId, open.state != .locking
        else {
            let state = smsView.lockouts.recordFailure(keypad: reader, at: now)
            let detail: String
            if case .locked(let until) = state {
                detail = "wrong receipt PIN; keypad locked for \(Int(until.timeIntervalSince(now).rounded(.up))) s"
            } else {
                detail = "wrong receipt PIN"
            }
            Counter(label: "edge_agent_sms_wrong_pins_total", dimensions: [("keypad", reader)]).increment()
            smsKeypadEvent(reader, compartment: keypadCompartment, outcome: "wrongPIN", audit: detail)
            return
        }
        smsView.lockouts.recordSuccess(keypad: reader)
        smsKeypadEvent(reader, compartment: link.compartment, outcome: "accepted",
                       audit: "receipt PIN accepted: the session's owner ends it at the keypad")
        feedSession(link.compartment, .stopWithCard(idTag: open.idTag, parentIdTag: nil))
    }

    private func smsKeypadEvent(_ reader: String, compartment: String?, outcome: String, audit reason: String) {
        do {
            try store.appendAudit(AuditRecord(
                recordedAt: Date(), actor: "keypad:\(reader)", action: "receiptPIN", target: compartment ?? "site", reason: reason))
        } catch {
            logger.error("receipt PIN attempt not recorded in the audit log", metadata: ["error": "\(error)"])
        }
        hardwareView.record(SiteEvent(
            at: Date(), source: .reader, kind: "receiptPIN", reader: reader, compartment: compartment, detail: outcome))
        logger.notice("receipt PIN at a keypad", metadata: ["keypad": "\(reader)", "outcome": "\(outcome)"])
    }
}
