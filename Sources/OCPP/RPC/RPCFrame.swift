import Foundation

/// OCPP-J message type numbers.
public enum MessageTypeNumber: Int, Sendable {
    case call = 2, callResult = 3, callError = 4
}

/// A CALL from the central system, decoded and validated.
public struct IncomingCall: Sendable, Equatable {
    public var id: String
    public var request: CentralSystemRequest

    public init(id: String, request: CentralSystemRequest) {
        self.id = id
        self.request = request
    }
}

/// A CALLERROR from the central system (for one of our calls).
public struct CallErrorMessage: Sendable, Equatable {
    public var id: String
    /// Unknown codes from a non-conforming peer are kept in `rawCode` and mapped to GenericError.
    public var code: RPCErrorCode
    public var rawCode: String
    public var errorDescription: String
    public var details: JSONValue

    public init(id: String, code: RPCErrorCode, rawCode: String? = nil, errorDescription: String, details: JSONValue = .object([:])) {
        self.id = id
        self.code = code
        self.rawCode = rawCode ?? code.rawValue
        self.errorDescription = errorDescription
        self.details = details
    }
}

/// One well-formed incoming frame.
public enum IncomingMessage: Sendable, Equatable {
    case call(IncomingCall)
    /// The payload is decoded later, by the action of the pending call (see `CallTracker`).
    case callResult(id: String, payload: JSONValue)
    case callError(CallErrorMessage)
}

/// An incoming frame we cannot use, with the CALLERROR to send back when one is owed.
public struct FrameRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reply: Sendable, Equatable {
        /// Answer with a CALLERROR carrying this message id.
        case callError(messageID: String)
        /// Send nothing: the frame was a CALLRESULT/CALLERROR (never answered) or an unknown
        /// message type (ignored, OCPP-J 4.1.3).
        case none
    }

    public var code: RPCErrorCode
    public var reason: String
    /// CALLERROR details object, e.g. `{"field": "idTag"}`.
    public var details: JSONValue
    public var reply: Reply

    public init(code: RPCErrorCode, reason: String, details: JSONValue = .object([:]), reply: Reply) {
        self.code = code
        self.reason = reason
        self.details = details
        self.reply = reply
    }

    /// The CALLERROR frame to send, if any.
    public var replyFrame: String? {
        guard case .callError(let id) = reply else { return nil }
        return RPCFrame.callError(id: id, code: code, description: reason, details: details)
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}

/// Parsing and building OCPP-J text frames. The transport moves strings; everything about
/// their content lives here.
public enum RPCFrame {
    /// The id used to answer a frame whose own id cannot be read (not JSON, not an RPC array,
    /// or a non-string id). OCPP 1.6 leaves this open; "-1" is what OCPP 2.0.1 later fixed.
    public static let unidentifiedMessageID = "-1"

    /// Parses one text frame from the central system.
    public static func decode(_ text: String) -> Result<IncomingMessage, FrameRejection> {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            return .failure(FrameRejection(
                code: .formationViolation, reason: "frame is not valid JSON (\(error.description))",
                reply: .callError(messageID: unidentifiedMessageID)))
        }
        guard case .array(let elements) = value, let first = elements.first else {
            return .failure(FrameRejection(
                code: .protocolError, reason: "frame is not an OCPP-J message array [type, id, ...]",
                reply: .callError(messageID: unidentifiedMessageID)))
        }
        let stringID: String? = if elements.count > 1, case .string(let id) = elements[1] { id } else { nil }
        guard case .integer(let typeNumber) = first else {
            return .failure(FrameRejection(
                code: .protocolError, reason: "message type must be the integer 2, 3 or 4, got \(first.serialized)",
                reply: .callError(messageID: stringID ?? unidentifiedMessageID)))
        }
        switch MessageTypeNumber(rawValue: typeNumber) {
        case .call: return decodeCall(elements, id: stringID)
        case .callResult: return decodeCallResult(elements, id: stringID)
        case .callError: return decodeCallError(elements, id: stringID)
        case nil:
            return .failure(FrameRejection(
                code: .protocolError, reason: "unknown message type \(typeNumber); ignored", reply: .none))
        }
    }

    private static func decodeCall(_ elements: [JSONValue], id: String?) -> Result<IncomingMessage, FrameRejection> {
        guard let id else {
            return .failure(FrameRejection(
                code: .protocolError, reason: "CALL has no string message id",
                reply: .callError(messageID: unidentifiedMessageID)))
        }
        let reply = FrameRejection.Reply.callError(messageID: id)
        guard elements.count == 4 else {
            return .failure(FrameRejection(
                code: .protocolError,
                reason: "CALL must be [2, id, action, payload], got \(elements.count) elements", reply: reply))
        }
        guard case .string(let actionName) = elements[2] else {
            return .failure(FrameRejection(code: .protocolError, reason: "CALL action must be a string", reply: reply))
        }
        guard let action = OCPPAction(rawValue: actionName) else {
            if OCPPAction.recognizedUnsupported.contains(actionName) {
                return .failure(FrameRejection(
                    code: .notSupported, reason: "action \(actionName) is not supported by this charge point", reply: reply))
            }
            return .failure(FrameRejection(code: .notImplemented, reason: "unknown action \(actionName)", reply: reply))
        }
        guard action.initiator != .chargePoint else {
            return .failure(FrameRejection(
                code: .notSupported, reason: "\(actionName) is sent by charge points, not to them", reply: reply))
        }
        do {
            let request = try CentralSystemRequest(action: action, payload: elements[3])
            return .success(.call(IncomingCall(id: id, request: request)))
        } catch {
            let details: JSONValue = error.path.isEmpty ? .object([:]) : .object(["field": .string(error.path)])
            return .failure(FrameRejection(
                code: error.code, reason: "\(actionName): \(error.description)", details: details, reply: reply))
        }
    }

    private static func decodeCallResult(_ elements: [JSONValue], id: String?) -> Result<IncomingMessage, FrameRejection> {
        guard let id, elements.count == 3 else {
            return .failure(FrameRejection(
                code: .protocolError, reason: "CALLRESULT must be [3, id, payload] with a string id", reply: .none))
        }
        return .success(.callResult(id: id, payload: elements[2]))
    }

    private static func decodeCallError(_ elements: [JSONValue], id: String?) -> Result<IncomingMessage, FrameRejection> {
        // Details are mandatory, but a missing one costs nothing to tolerate.
        guard let id, elements.count == 5 || elements.count == 4,
              case .string(let rawCode) = elements[2], case .string(let text) = elements[3]
        else {
            return .failure(FrameRejection(
                code: .protocolError, reason: "CALLERROR must be [4, id, code, description, details] with strings",
                reply: .none))
        }
        let details = elements.count == 5 ? elements[4] : .object([:])
        return .success(.callError(CallErrorMessage(
            id: id, code: RPCErrorCode(rawValue: rawCode) ?? .genericError, rawCode: rawCode,
            errorDescription: text, details: details)))
    }

    // MARK: Building frames

    /// `[2, id, action, payload]`; throws when `request` breaks its own schema.
    public static func call<R: OCPPRequest>(id: String, request: R) throws(PayloadViolation) -> String {
        let payload = try OCPPMessages.encode(request)
        return "[2,\(JSONValue.quoted(id)),\(JSONValue.quoted(R.action.rawValue)),\(payload.serialized)]"
    }

    /// `[3, id, payload]`; throws when `confirmation` breaks its own schema.
    public static func callResult<P: OCPPPayload>(id: String, confirmation: P) throws(PayloadViolation) -> String {
        let payload = try OCPPMessages.encode(confirmation)
        return "[3,\(JSONValue.quoted(id)),\(payload.serialized)]"
    }

    /// `[4, id, code, description, details]`. `details` should be an object; anything else is
    /// replaced by `{}` so the frame stays valid.
    public static func callError(id: String, code: RPCErrorCode, description: String, details: JSONValue = .object([:])) -> String {
        let safeDetails: JSONValue = if case .object = details { details } else { .object([:]) }
        return "[4,\(JSONValue.quoted(id)),\(JSONValue.quoted(code.rawValue)),\(JSONValue.quoted(description)),\(safeDetails.serialized)]"
    }
}
