import Foundation

/// Encoding and decoding of payloads, always through the action's schema: what we receive is
/// checked before it becomes a typed value, and what we send is checked before it leaves, so
/// a too-long idTag is caught here instead of by the central system.
public enum OCPPMessages {
    /// Validates `payload` against `P.schema`, then decodes it.
    public static func decode<P: OCPPPayload>(_ type: P.Type, from payload: JSONValue) throws(PayloadViolation) -> P {
        try P.schema.validate(payload)
        do {
            return try OCPPCoding.decoder().decode(P.self, from: Data(payload.serialized.utf8))
        } catch {
            // Validation mirrors the Codable model, so this means the two disagree: report it
            // as a malformed payload rather than crash on a peer's input.
            throw PayloadViolation(code: .formationViolation, path: "", reason: "payload could not be decoded: \(error)")
        }
    }

    /// Encodes `payload` and checks the result against `P.schema`.
    public static func encode<P: OCPPPayload>(_ payload: P) throws(PayloadViolation) -> JSONValue {
        let text: String
        do {
            text = String(decoding: try OCPPCoding.encoder().encode(payload), as: UTF8.self)
        } catch {
            throw PayloadViolation(code: .internalError, path: "", reason: "payload could not be encoded: \(error)")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw PayloadViolation(code: .internalError, path: "", reason: "encoder produced invalid JSON: \(error)")
        }
        try P.schema.validate(value)
        return value
    }

    /// Decodes the CALLRESULT payload answering a request of type `R`.
    public static func decodeResult<R: OCPPRequest>(_ request: R.Type, payload: JSONValue) throws(PayloadViolation) -> R.Confirmation {
        try decode(R.Confirmation.self, from: payload)
    }

    /// Decodes the CALLRESULT payload answering a call of `action` (the action of the pending
    /// call, since a CALLRESULT does not name it). Cast the result to the action's confirmation type.
    public static func decodeResult(for action: OCPPAction, payload: JSONValue) throws(PayloadViolation) -> any OCPPPayload {
        func decodeConfirmation<P: OCPPPayload>(_ type: P.Type) throws(PayloadViolation) -> any OCPPPayload {
            try decode(P.self, from: payload)
        }
        return try decodeConfirmation(action.confirmationType)
    }

    /// Decodes a request payload of `action` (either direction).
    public static func decodeRequest(for action: OCPPAction, payload: JSONValue) throws(PayloadViolation) -> any OCPPRequest {
        func decodeRequest<R: OCPPRequest>(_ type: R.Type) throws(PayloadViolation) -> any OCPPRequest {
            try decode(R.self, from: payload)
        }
        return try decodeRequest(action.requestType)
    }
}

/// Unique ids for our CALLs.
public enum MessageID {
    /// A random UUID string: 36 characters, the most OCPP-J allows.
    public static func random() -> String { UUID().uuidString.lowercased() }
}
