import Foundation

/// The structure of one OCPP payload, mirroring the official OCPP 1.6 JSON schemas
/// (draft-04, `additionalProperties: false` everywhere). Written in Swift instead of loading
/// the schema files so the module ships no third-party data and validation maps straight to
/// OCPP-J error codes. The test suite checks these against the official files.
public indirect enum PayloadSchema: Sendable {
    case object([SchemaProperty])
    /// A CiString-like string with an optional maximum length (in Unicode code points).
    case string(maxLength: Int?)
    case enumeration([String])
    case integer
    /// A JSON number; `tenths` when the schema says `multipleOf: 0.1`.
    case decimal(tenths: Bool)
    case boolean
    case dateTime
    case uri
    case array(PayloadSchema, minItems: Int)

    public static func ciString(_ maxLength: Int) -> PayloadSchema { .string(maxLength: maxLength) }
    public static var anyString: PayloadSchema { .string(maxLength: nil) }
    public static func enumeration<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> PayloadSchema
    where E.RawValue == String {
        .enumeration(E.allCases.map(\.rawValue))
    }
    public static func array(_ items: PayloadSchema) -> PayloadSchema { .array(items, minItems: 0) }
}

public struct SchemaProperty: Sendable {
    public var name: String
    public var schema: PayloadSchema
    public var isRequired: Bool

    public static func required(_ name: String, _ schema: PayloadSchema) -> SchemaProperty {
        SchemaProperty(name: name, schema: schema, isRequired: true)
    }
    public static func optional(_ name: String, _ schema: PayloadSchema) -> SchemaProperty {
        SchemaProperty(name: name, schema: schema, isRequired: false)
    }
}

/// OCPP-J 1.6 CALLERROR codes (section 4.2.3), spelled exactly as on the wire, including the
/// specification's "Occurence".
public enum RPCErrorCode: String, Sendable, CaseIterable, Codable {
    case notImplemented = "NotImplemented"
    case notSupported = "NotSupported"
    case internalError = "InternalError"
    case protocolError = "ProtocolError"
    case securityError = "SecurityError"
    case formationViolation = "FormationViolation"
    case propertyConstraintViolation = "PropertyConstraintViolation"
    case occurenceConstraintViolation = "OccurenceConstraintViolation"
    case typeConstraintViolation = "TypeConstraintViolation"
    case genericError = "GenericError"
}

/// A payload that breaks its schema: which CALLERROR it deserves, which field, and why.
public struct PayloadViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: RPCErrorCode
    /// Dotted path of the offending field, e.g. `csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit`;
    /// empty for the payload itself.
    public var path: String
    public var reason: String

    public init(code: RPCErrorCode, path: String, reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

extension PayloadSchema {
    /// Checks `value` against this schema. The first violation found wins, in this order per
    /// object: missing required field (Occurence), unknown field (Formation), then each field.
    /// `null` for an optional field counts as absent (some central systems send it).
    public func validate(_ value: JSONValue, path: String = "") throws(PayloadViolation) {
        switch (self, value) {
        case (.object(let properties), .object(let members)):
            for property in properties where property.isRequired && members[property.name] == nil {
                throw PayloadViolation(
                    code: .occurenceConstraintViolation, path: Self.join(path, property.name),
                    reason: "required field is missing")
            }
            let known = Set(properties.map(\.name))
            if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
                throw PayloadViolation(
                    code: .formationViolation, path: Self.join(path, unknown),
                    reason: "field is not part of this message")
            }
            for property in properties {
                guard let member = members[property.name] else { continue }
                if member == .null, !property.isRequired { continue }
                try property.schema.validate(member, path: Self.join(path, property.name))
            }
        case (.string(let maxLength), .string(let text)):
            // JSON Schema counts Unicode code points, not grapheme clusters.
            let length = text.unicodeScalars.count
            if let maxLength, length > maxLength {
                throw PayloadViolation(
                    code: .propertyConstraintViolation, path: path,
                    reason: "is \(length) characters long; at most \(maxLength) allowed")
            }
        case (.enumeration(let allowed), .string(let text)):
            if !allowed.contains(text) {
                throw PayloadViolation(
                    code: .propertyConstraintViolation, path: path,
                    reason: "'\(text)' is not one of \(allowed.joined(separator: ", "))")
            }
        case (.integer, .integer), (.boolean, .bool), (.decimal, .integer):
            break
        case (.decimal(let tenths), .number(let number)):
            if tenths, abs(number * 10 - (number * 10).rounded()) > 1e-6 {
                throw PayloadViolation(
                    code: .propertyConstraintViolation, path: path,
                    reason: "\(number) is not a multiple of 0.1")
            }
        case (.dateTime, .string(let text)):
            if OCPPDate.date(from: text) == nil {
                throw PayloadViolation(
                    code: .typeConstraintViolation, path: path,
                    reason: "'\(text)' is not an RFC 3339 date-time")
            }
        case (.uri, .string(let text)):
            if !Self.isURI(text) {
                throw PayloadViolation(
                    code: .typeConstraintViolation, path: path, reason: "'\(text)' is not an absolute URI")
            }
        case (.array(let items, let minItems), .array(let elements)):
            if elements.count < minItems {
                throw PayloadViolation(
                    code: .occurenceConstraintViolation, path: path,
                    reason: "needs at least \(minItems) element(s), has \(elements.count)")
            }
            for (index, element) in elements.enumerated() {
                try items.validate(element, path: "\(path)[\(index)]")
            }
        default:
            // The payload itself must be an object: anything else is not the PDU's structure.
            throw PayloadViolation(
                code: path.isEmpty ? .formationViolation : .typeConstraintViolation, path: path,
                reason: "expected \(expectedTypeName), got \(value.typeName)")
        }
    }

    private var expectedTypeName: String {
        switch self {
        case .object: "an object"
        case .string, .enumeration, .dateTime, .uri: "a string"
        case .integer: "an integer"
        case .decimal: "a number"
        case .boolean: "a boolean"
        case .array: "an array"
        }
    }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// RFC 3986 absolute URI: a scheme, a colon, and no whitespace.
    private static func isURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return false }
        return !text.contains(where: { $0.isWhitespace })
    }

    /// This schema as JSON Schema (draft-04) keywords, for comparing with the official files.
    public var jsonSchema: JSONValue {
        switch self {
        case .object(let properties):
            var members: [String: JSONValue] = [
                "type": .string("object"),
                "additionalProperties": .bool(false),
                "properties": .object(Dictionary(uniqueKeysWithValues: properties.map { ($0.name, $0.schema.jsonSchema) })),
            ]
            let required = properties.filter(\.isRequired).map { JSONValue.string($0.name) }
            if !required.isEmpty { members["required"] = .array(required) }
            return .object(members)
        case .string(let maxLength):
            var members: [String: JSONValue] = ["type": .string("string")]
            if let maxLength { members["maxLength"] = .integer(maxLength) }
            return .object(members)
        case .enumeration(let allowed):
            return .object(["type": .string("string"), "enum": .array(allowed.map(JSONValue.string))])
        case .integer:
            return .object(["type": .string("integer")])
        case .decimal(let tenths):
            var members: [String: JSONValue] = ["type": .string("number")]
            if tenths { members["multipleOf"] = .number(0.1) }
            return .object(members)
        case .boolean:
            return .object(["type": .string("boolean")])
        case .dateTime:
            return .object(["type": .string("string"), "format": .string("date-time")])
        case .uri:
            return .object(["type": .string("string"), "format": .string("uri")])
        case .array(let items, let minItems):
            var members: [String: JSONValue] = ["type": .string("array"), "items": items.jsonSchema]
            if minItems > 0 { members["minItems"] = .integer(minItems) }
            return .object(members)
        }
    }
}
