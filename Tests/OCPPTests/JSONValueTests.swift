import Testing
@testable import OCPP

@Suite("JSON parsing")
struct JSONValueTests {
    @Test("parses every JSON type and keeps integer literals apart from decimals")
    func parsesTypes() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2, 1.0, 2e3, true, false, null, "x\u00e9\ud83d\ude00\n\"\\/"], "b": {}} "#)
        #expect(value == .object([
            "a": .array([.integer(1), .integer(-2), .number(1.0), .number(2000), .bool(true), .bool(false), .null, .string("xé😀\n\"\\/")]),
            "b": .object([:]),
        ]))
    }

    @Test("serialization round-trips")
    func roundTrip() throws {
        let text = #"{"a":[1,2.5,"q\"\\\n\u0001"],"b":null,"c":true}"#
        let value = try JSONValue.parse(text)
        #expect(try JSONValue.parse(value.serialized) == value)
        #expect(value.serialized == text)
    }

    @Test("rejects malformed text", arguments: [
        "", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "\"unterminated", "[1] x", "{\"a\" 1}", "{\"a\":1,\"a\":2}",
        "[\"\\ud800\"]", "[\"\\x\"]", "[tru]", "[\"a\u{01}\"]", String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ])
    func rejectsMalformed(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
    }

    @Test("an integer literal too large for Int is a number, not an integer")
    func hugeInteger() throws {
        #expect(try JSONValue.parse("99999999999999999999") == .number(1e20))
    }
}
