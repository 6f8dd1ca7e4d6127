import Foundation
import Testing
@testable import OCPP

/// Frames exactly as the Python `ocpp` package (the central system used in end-to-end tests)
/// produces them, including its naive `isoformat()` timestamps and `16.0` limits.
@Suite("Real central-system frames")
struct RealFrameTests {
    func call(_ text: String) throws -> IncomingCall {
        guard case .call(let call) = try RPCFrame.decode(text).get() else { throw CancellationError() }
        return call
    }

    func date(_ text: String) throws -> Date { try #require(OCPPDate.date(from: text)) }

    @Test("RemoteStartTransaction with a TxProfile")
    func remoteStart() throws {
        let incoming = try call(#"[2,"cs-1","RemoteStartTransaction",{"idTag":"04E91C5A","connectorId":1,"chargingProfile":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16.0},{"startPeriod":1800,"limit":7.5,"numberPhases":1}],"duration":3600,"minChargingRate":6.0}}}]"#)
        #expect(incoming.id == "cs-1")
        guard case .remoteStartTransaction(let request) = incoming.request else { Issue.record("\(incoming)"); return }
        #expect(request.idTag == "04E91C5A")
        #expect(request.connectorId == 1)
        let schedule = try #require(request.chargingProfile?.chargingSchedule)
        #expect(schedule.chargingSchedulePeriod == [ChargingSchedulePeriod(startPeriod: 0, limit: 16), ChargingSchedulePeriod(startPeriod: 1800, limit: 7.5, numberPhases: 1)])
        #expect(schedule.minChargingRate == 6)
    }

    @Test("SetChargingProfile, recurring ChargePointMaxProfile")
    func setChargingProfile() throws {
        let incoming = try call(#"[2,"cs-2","SetChargingProfile",{"connectorId":0,"csChargingProfiles":{"chargingProfileId":2,"stackLevel":1,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Recurring","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16.0},{"startPeriod":1800,"limit":7.5,"numberPhases":1}],"duration":3600,"minChargingRate":6.0},"recurrencyKind":"Daily"}}]"#)
        guard case .setChargingProfile(let request) = incoming.request else { Issue.record("\(incoming)"); return }
        #expect(request.connectorId == 0)
        #expect(request.csChargingProfiles.chargingProfilePurpose == .chargePointMaxProfile)
        #expect(request.csChargingProfiles.recurrencyKind == .daily)
    }

    @Test("configuration, trigger, local list, reservation, unlock and composite schedule calls")
    func otherCalls() throws {
        #expect(try call(#"[2,"cs-3","GetConfiguration",{"key":["HeartbeatInterval","MeterValuesSampledData"]}]"#).request
            == .getConfiguration(GetConfigurationRequest(key: ["HeartbeatInterval", "MeterValuesSampledData"])))
        #expect(try call(#"[2,"cs-4","ChangeConfiguration",{"key":"MeterValueSampleInterval","value":"30"}]"#).request
            == .changeConfiguration(ChangeConfigurationRequest(key: "MeterValueSampleInterval", value: "30")))
        #expect(try call(#"[2,"cs-5","TriggerMessage",{"requestedMessage":"StatusNotification","connectorId":2}]"#).request
            == .triggerMessage(TriggerMessageRequest(requestedMessage: .statusNotification, connectorId: 2)))
        #expect(try call(#"[2,"cs-6","SendLocalList",{"listVersion":3,"updateType":"Full","localAuthorizationList":[{"idTag":"04E91C5A","idTagInfo":{"status":"Accepted","expiryDate":"2027-01-01T00:00:00+00:00"}}]}]"#).request
            == .sendLocalList(SendLocalListRequest(
                listVersion: 3,
                localAuthorizationList: [AuthorizationData(idTag: "04E91C5A", idTagInfo: IdTagInfo(status: .accepted, expiryDate: try date("2027-01-01T00:00:00Z")))],
                updateType: .full)))
        #expect(try call(#"[2,"cs-7","ReserveNow",{"connectorId":1,"expiryDate":"2026-11-23T12:00:00","idTag":"04E91C5A","reservationId":9}]"#).request
            == .reserveNow(ReserveNowRequest(connectorId: 1, expiryDate: try date("2026-11-23T12:00:00Z"), idTag: "04E91C5A", reservationId: 9)))
        #expect(try call(#"[2,"cs-8","UnlockConnector",{"connectorId":3}]"#).request == .unlockConnector(UnlockConnectorRequest(connectorId: 3)))
        #expect(try call(#"[2,"cs-9","GetCompositeSchedule",{"connectorId":1,"duration":3600,"chargingRateUnit":"W"}]"#).request
            == .getCompositeSchedule(GetCompositeScheduleRequest(connectorId: 1, duration: 3600, chargingRateUnit: .watts)))
    }

    @Test("confirmations of our calls")
    func confirmations() throws {
        func result(_ text: String, _ action: OCPPAction) throws -> any OCPPPayload {
            guard case .callResult(_, let payload) = try RPCFrame.decode(text).get() else { throw CancellationError() }
            return try OCPPMessages.decodeResult(for: action, payload: payload)
        }
        let boot = try #require(try result(#"[3,"cp-1",{"currentTime":"2026-11-23T10:00:00.123456","interval":300,"status":"Accepted"}]"#, .bootNotification) as? BootNotificationConfirmation)
        #expect(boot.status == .accepted && boot.interval == 300)
        #expect(abs(boot.currentTime.timeIntervalSince1970 - 1_795_428_000.123456) < 0.000_01)
        let start = try #require(try result(#"[3,"cp-2",{"transactionId":17,"idTagInfo":{"status":"Accepted"}}]"#, .startTransaction) as? StartTransactionConfirmation)
        #expect(start == StartTransactionConfirmation(idTagInfo: IdTagInfo(status: .accepted), transactionId: 17))
        let heartbeat = try #require(try result(#"[3,"cp-3",{"currentTime":"2026-11-23T10:00:00+00:00"}]"#, .heartbeat) as? HeartbeatConfirmation)
        #expect(heartbeat.currentTime == Date(timeIntervalSince1970: 1_795_428_000))
        #expect(try result(#"[3,"cp-4",{}]"#, .stopTransaction) as? StopTransactionConfirmation == StopTransactionConfirmation())
    }
}
