import Foundation
import Testing
@testable import OCPP

@Suite("Message coding")
struct MessageCodingTests {
    @Test("every action has request and confirmation samples")
    func samplesCoverEveryAction() {
        for action in OCPPAction.allCases {
            #expect(Samples.all.contains { $0.action == action && $0.kind == .request }, "no request sample for \(action)")
            #expect(Samples.all.contains { $0.action == action && $0.kind == .confirmation }, "no confirmation sample for \(action)")
        }
    }

    @Test("every sample round-trips through JSON", arguments: Samples.all)
    func roundTrip(sample: MessageSample) throws {
        let json = try sample.encoded()
        #expect(try sample.roundTrips(json))
        // Also through the text form, as on the wire.
        #expect(try sample.roundTrips(try JSONValue.parse(json.serialized)))
        let decoded: any OCPPPayload = switch sample.kind {
        case .request: try OCPPMessages.decodeRequest(for: sample.action, payload: json)
        case .confirmation: try OCPPMessages.decodeResult(for: sample.action, payload: json)
        }
        #expect(type(of: decoded) == type(of: sample.payload))
    }

    @Test("optional fields are omitted, never null")
    func optionalFieldsOmitted() throws {
        let json = try OCPPMessages.encode(StopTransactionRequest(meterStop: 5, timestamp: Samples.time, transactionId: 1))
        #expect(json == .object(["meterStop": .integer(5), "timestamp": .string("2026-11-23T10:00:00.123Z"), "transactionId": .integer(1)]))
        for sample in Samples.all {
            #expect(!(try sample.encoded().serialized.contains("null")), "\(sample)")
        }
    }

    @Test("dates are written as UTC with milliseconds")
    func dateEncoding() throws {
        #expect(OCPPDate.string(from: Date(timeIntervalSince1970: 1_795_428_000)) == "2026-11-23T10:00:00.000Z")
        #expect(OCPPDate.string(from: Date(timeIntervalSince1970: 951_782_400.5)) == "2000-02-29T00:00:00.500Z")
        #expect(OCPPDate.string(from: Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
        let json = try OCPPMessages.encode(HeartbeatConfirmation(currentTime: Date(timeIntervalSince1970: 1_795_428_000.25)))
        #expect(json.serialized == #"{"currentTime":"2026-11-23T10:00:00.250Z"}"#)
    }

    @Test("dates are read leniently", arguments: [
        ("2026-11-23T10:00:00Z", 1_795_428_000.0),
        ("2026-11-23T10:00:00.000Z", 1_795_428_000.0),
        ("2026-11-23T10:00:00.5Z", 1_795_428_000.5),
        ("2026-11-23T10:00:00.123456Z", 1_795_428_000.123456),
        ("2026-11-23T11:30:00+01:30", 1_795_428_000.0),
        ("2026-11-23T05:00:00-0500", 1_795_428_000.0),
        ("2026-11-23t10:00:00z", 1_795_428_000.0),
        ("2026-11-23T10:00:00.250", 1_795_428_000.25), // Python's naive isoformat(): UTC
    ])
    func lenientDates(text: String, seconds: Double) throws {
        let date = try #require(OCPPDate.date(from: text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_01)
    }

    @Test("malformed dates are refused", arguments: [
        "2026-11-23", "2026-11-23T10:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-23T25:00:00Z",
        "2026-11-23T10:00:00.Z", "2026-11-23T10:00:00+1", "yesterday", "2026-11-23T10:00:00Z trailing",
    ])
    func malformedDates(text: String) {
        #expect(OCPPDate.date(from: text) == nil)
    }

    @Test("charging limits are sent with one decimal")
    func decimalTenths() throws {
        let period = ChargingSchedulePeriod(startPeriod: 0, limit: 7.3999999, numberPhases: nil)
        let schedule = ChargingSchedule(chargingRateUnit: .amperes, chargingSchedulePeriod: [period], minChargingRate: 6.04)
        let json = try OCPPMessages.encode(schedule.asProfilePayload())
        #expect(json.serialized.contains(#""limit":7.4"#))
        #expect(json.serialized.contains(#""minChargingRate":6"#))
        #expect(OCPPDecimal.tenths(16.05) == 16.1 || OCPPDecimal.tenths(16.05) == 16.0)
    }

    @Test("outgoing payloads that break the schema are refused before sending")
    func outgoingValidation() {
        #expect(throws: PayloadViolation(code: .propertyConstraintViolation, path: "idTag", reason: "is 21 characters long; at most 20 allowed")) {
            try OCPPMessages.encode(AuthorizeRequest(idTag: String(repeating: "A", count: 21)))
        }
        #expect(throws: PayloadViolation.self) {
            try OutgoingCall(MeterValuesRequest(connectorId: 1, meterValue: []))
        }
    }

    @Test("ChangeConfiguration of AuthorizationKey never shows the key in descriptions")
    func redactedDescription() {
        let request = ChangeConfigurationRequest(key: "authorizationkey", value: "s3cret-basic-auth-pass")
        #expect(!request.description.contains("s3cret"))
        #expect(ChangeConfigurationRequest(key: "HeartbeatInterval", value: "60").description.contains("60"))
    }
}

extension ChargingSchedule {
    /// Wraps the schedule in the smallest request that carries one, to test its encoding.
    func asProfilePayload() -> SetChargingProfileRequest {
        SetChargingProfileRequest(connectorId: 1, csChargingProfiles: ChargingProfile(
            chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: .txDefaultProfile, chargingProfileKind: .absolute,
            chargingSchedule: self))
    }
}
