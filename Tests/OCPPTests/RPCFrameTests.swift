import Foundation
import Testing
@testable import OCPP

@Suite("RPC framing and CALLERROR mapping")
struct RPCFrameTests {
    func rejection(_ text: String) throws -> FrameRejection {
        guard case .failure(let rejection) = RPCFrame.decode(text) else {
            Issue.record("frame was accepted: \(text)")
            throw CancellationError()
        }
        return rejection
    }

    @Test("CALL from the central system becomes a typed request")
    func typedCall() throws {
        let result = RPCFrame.decode(#"[2, "19223201", "RemoteStartTransaction", {"connectorId": 2, "idTag": "04E91C5A"}]"#)
        let message = try result.get()
        #expect(message == .call(IncomingCall(id: "19223201", request: .remoteStartTransaction(RemoteStartTransactionRequest(connectorId: 2, idTag: "04E91C5A")))))
    }

    @Test("CALLRESULT and CALLERROR are parsed")
    func resultsAndErrors() throws {
        #expect(try RPCFrame.decode(#"[3,"abc",{"currentTime":"2026-11-23T10:00:00Z"}]"#).get()
            == .callResult(id: "abc", payload: .object(["currentTime": .string("2026-11-23T10:00:00Z")])))
        #expect(try RPCFrame.decode(#"[4,"abc","NotSupported","no",{"hint":1}]"#).get()
            == .callError(CallErrorMessage(id: "abc", code: .notSupported, errorDescription: "no", details: .object(["hint": .integer(1)]))))
        // A non-standard code from a sloppy peer is kept, mapped to GenericError.
        #expect(try RPCFrame.decode(#"[4,"abc","Oops","bad",{}]"#).get()
            == .callError(CallErrorMessage(id: "abc", code: .genericError, rawCode: "Oops", errorDescription: "bad")))
    }

    @Test("frames we build have the OCPP-J shape")
    func building() throws {
        #expect(try RPCFrame.call(id: "m-1", request: HeartbeatRequest()) == #"[2,"m-1","Heartbeat",{}]"#)
        #expect(try RPCFrame.callResult(id: "c-9", confirmation: ResetConfirmation(status: .accepted)) == #"[3,"c-9",{"status":"Accepted"}]"#)
        #expect(RPCFrame.callError(id: "c-9", code: .notImplemented, description: "say \"hi\"", details: .string("not an object"))
            == #"[4,"c-9","NotImplemented","say \"hi\"",{}]"#)
        let id = MessageID.random()
        #expect(id.count == 36)
        #expect(id != MessageID.random())
    }

    @Test("CALLERROR branches", arguments: [
        // (frame, expected code, reply id or nil when no reply is owed)
        (#"[2, "1", "Reset", {"type": "Hard"}"#, RPCErrorCode.formationViolation, "-1"),
        (#"{"not": "an array"}"#, .protocolError, "-1"),
        (#"[]"#, .protocolError, "-1"),
        (#"["2", "7", "Reset", {}]"#, .protocolError, "7"),
        (#"[2, 17, "Reset", {"type": "Hard"}]"#, .protocolError, "-1"),
        (#"[2, "7", "Reset"]"#, .protocolError, "7"),
        (#"[2, "7", 5, {}]"#, .protocolError, "7"),
        (#"[2, "7", "MakeCoffee", {}]"#, .notImplemented, "7"),
        (#"[2, "7", "SignCertificate", {"csr": "x"}]"#, .notSupported, "7"),
        (#"[2, "7", "BootNotification", {"chargePointVendor": "a", "chargePointModel": "b"}]"#, .notSupported, "7"),
        (#"[2, "7", "Reset", []]"#, .formationViolation, "7"),
        (#"[2, "7", "Reset", {"type": "Hard", "force": true}]"#, .formationViolation, "7"),
        (#"[2, "7", "Reset", {}]"#, .occurenceConstraintViolation, "7"),
        (#"[2, "7", "Reset", {"type": "Gentle"}]"#, .propertyConstraintViolation, "7"),
        (#"[2, "7", "Reset", {"type": 1}]"#, .typeConstraintViolation, "7"),
        (#"[2, "7", "RemoteStartTransaction", {"idTag": "123456789012345678901"}]"#, .propertyConstraintViolation, "7"),
        (#"[2, "7", "RemoteStopTransaction", {"transactionId": 4.5}]"#, .typeConstraintViolation, "7"),
        (#"[2, "7", "RemoteStopTransaction", {"transactionId": 4.0}]"#, .typeConstraintViolation, "7"),
        (#"[2, "7", "RemoteStopTransaction", {"transactionId": "4"}]"#, .typeConstraintViolation, "7"),
        (#"[2, "7", "RemoteStopTransaction", {"transactionId": null}]"#, .typeConstraintViolation, "7"),
        (#"[2, "7", "ReserveNow", {"connectorId": 1, "expiryDate": "tomorrow", "idTag": "A", "reservationId": 1}]"#, .typeConstraintViolation, "7"),
        (#"[2, "7", "UpdateFirmware", {"location": "not a uri", "retrieveDate": "2026-11-23T10:00:00Z"}]"#, .typeConstraintViolation, "7"),
        (#"[2, "7", "SendLocalList", {"listVersion": 1, "updateType": "Full", "localAuthorizationList": [{"idTagInfo": {"status": "Accepted"}}]}]"#, .occurenceConstraintViolation, "7"),
        (#"[2, "7", "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute", "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.05}]}}}]"#, .propertyConstraintViolation, "7"),
    ] as [(String, RPCErrorCode, String?)])
    func callErrorBranches(frame: String, code: RPCErrorCode, replyID: String?) throws {
        let rejection = try rejection(frame)
        #expect(rejection.code == code, "\(rejection)")
        if let replyID {
            #expect(rejection.reply == .callError(messageID: replyID))
            let reply = try #require(rejection.replyFrame)
            // The reply itself must be a well-formed CALLERROR.
            guard case .callError(let error) = try RPCFrame.decode(reply).get() else {
                Issue.record("reply is not a CALLERROR: \(reply)")
                return
            }
            #expect(error.id == replyID)
            #expect(error.code == code)
            #expect(!error.errorDescription.isEmpty)
        } else {
            #expect(rejection.replyFrame == nil)
        }
    }

    @Test("field errors name the field in the CALLERROR details")
    func fieldDetails() throws {
        let rejection = try rejection(#"[2, "9", "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute", "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0}]}}}]"#)
        #expect(rejection.code == .occurenceConstraintViolation)
        #expect(rejection.details == .object(["field": .string("csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit")]))
        #expect(rejection.reason.contains("required field is missing"))
    }

    @Test("malformed replies and unknown message types are never answered", arguments: [
        #"[3, 5, {}]"#, #"[3, "5"]"#, #"[4, "5", "GenericError"]"#, #"[4, "5", 1, "x", {}]"#, #"[5, "5", {}]"#,
    ])
    func noReplyToReplies(frame: String) throws {
        let rejection = try rejection(frame)
        #expect(rejection.reply == .none)
        #expect(rejection.replyFrame == nil)
    }

    @Test("null for an optional field counts as absent")
    func nullOptional() throws {
        let message = try RPCFrame.decode(#"[2,"1","RemoteStartTransaction",{"idTag":"A","connectorId":null}]"#).get()
        #expect(message == .call(IncomingCall(id: "1", request: .remoteStartTransaction(RemoteStartTransactionRequest(idTag: "A")))))
    }

    @Test("decodeResult uses the action of the pending call")
    func decodeResult() throws {
        let payload = try JSONValue.parse(#"{"idTagInfo":{"status":"Accepted"},"transactionId":42}"#)
        let confirmation = try OCPPMessages.decodeResult(StartTransactionRequest.self, payload: payload)
        #expect(confirmation.transactionId == 42)
        let untyped = try OCPPMessages.decodeResult(for: .startTransaction, payload: payload)
        #expect(untyped as? StartTransactionConfirmation == confirmation)
        #expect(throws: PayloadViolation.self) { try OCPPMessages.decodeResult(for: .heartbeat, payload: payload) }
    }
}

@Suite("Log redaction")
struct LogRedactionTests {
    @Test("AuthorizationKey values never reach a log line")
    func redacts() {
        let frame = #"[2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"0123456789abcdef0123"}]"#
        let logged = RPCFrame.loggable(frame)
        #expect(!logged.contains("0123456789abcdef"))
        #expect(logged.contains("<redacted>"))
        #expect(!RPCFrame.loggable(#"[2,"1","ChangeConfiguration",{"key":"authorizationKEY","value":"secret-secret-secret""#).contains("secret"))
        let harmless = #"[2,"1","ChangeConfiguration",{"key":"HeartbeatInterval","value":"60"}]"#
        #expect(RPCFrame.loggable(harmless) == harmless)
    }
}

@Suite("String length limits")
struct StringLengthTests {
    @Test("lengths count code points, as JSON Schema does")
    func codePoints() throws {
        let decomposed = String(repeating: "e\u{301}", count: 10) // 10 characters, 20 code points
        #expect(throws: Never.self) { try AuthorizeRequest.schema.validate(.object(["idTag": .string(decomposed)])) }
        #expect(throws: PayloadViolation.self) { try AuthorizeRequest.schema.validate(.object(["idTag": .string(decomposed + "x")])) }
    }
}
