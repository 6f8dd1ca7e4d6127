import Foundation
import LockerIO
import Metrics
import SMSAuth

/// Operator alerts by SMS (docs/sms.md, "Operator alerts"): forced doors, jammed locks, the uplink down too long,
/// modem failures, each at most once per `alerts.minimumIntervalSeconds`.
extension SiteController {
    /// Forced doors and jammed locks go to the operator's numbers.
    func smsCompartmentEvent(_ name: String, _ event: CompartmentEvent) {
        switch event {
        case .forcedOpen: smsAlert(key: "forced:\(name)", .alertDoorForced(site: "", compartment: name))
        case .lockJammed: smsAlert(key: "jammed:\(name)", .alertLockJammed(site: "", compartment: name))
        default: break
        }
    }

    /// `edge_agent_sms_modem_ready` (1 working, 0 not) and `edge_agent_sms_modem_signal_rssi` per device.
    static func publishModemMetrics(_ status: ModemSupervisor.Status) {
        let dimensions = [("device", status.device)]
        Gauge(label: "edge_agent_sms_modem_ready", dimensions: dimensions).record(status.state == .ready ? 1 : 0)
        if let rssi = status.signalRSSI {
            Gauge(label: "edge_agent_sms_modem_signal_rssi", dimensions: dimensions).record(rssi)
        }
    }

    func smsWatchUplink() {
        guard configuration.centralSystem != nil else { return }
        let state = uplinkMonitor.snapshot.state
        if state == .connected {
            smsView.uplinkDownSince = nil
            return
        }
        let since = smsView.uplinkDownSince ?? Date()
        smsView.uplinkDownSince = since
        let down = Date().timeIntervalSince(since)
        if down >= smsView.settings.alertUplinkDownAfterSeconds {
            smsAlert(key: "uplink", .alertUplinkDown(site: "", downFor: down))
        }
    }

    /// Sends an alert to every alert number, at most once per `alertMinimumIntervalSeconds` per key. The
    /// `site` placeholder is filled with the station identity.
    func smsAlert(key: String, _ message: SMSMessage) {
        guard !smsView.alertNumbers.isEmpty else { return }
        let now = Date()
        if let last = smsView.alertsSent[key], now.timeIntervalSince(last) < smsView.settings.alertMinimumIntervalSeconds { return }
        smsView.alertsSent[key] = now
        let site = configuration.station.identity
        let filled: SMSMessage =
            switch message {
            case .alertDoorForced(_, let compartment): .alertDoorForced(site: site, compartment: compartment)
            case .alertLockJammed(_, let compartment): .alertLockJammed(site: site, compartment: compartment)
            case .alertUplinkDown(_, let downFor): .alertUplinkDown(site: site, downFor: downFor)
            case .alertModemFailure(_, let detail): .alertModemFailure(site: site, detail: detail)
            default: message
            }
        logger.notice("operator alert by SMS", metadata: ["alert": "\(key)", "recipients": "\(smsView.alertNumbers.count)"])
        for number in smsView.alertNumbers { smsSend(filled, to: number, language: smsView.settings.language, via: nil) }
    }
}
