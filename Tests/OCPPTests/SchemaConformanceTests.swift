import Foundation
import Testing
@testable import OCPP

/// Every payload we produce must validate against the official OCPP 1.6 schemas, and our
/// Swift schemas (which decide incoming CALLERRORs) must match them field for field. The
/// official schemas ship with the Python `ocpp` package in the project's .venv.
@Suite("Schema conformance with the official OCPP 1.6 JSON schemas")
struct SchemaConformanceTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// EDGE_AGENT_PYTHON, else .venv/bin/python in the package root, else in the current directory.
    static func python() -> URL? {
        if let configured = ProcessInfo.processInfo.environment["EDGE_AGENT_PYTHON"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        let candidates = [
            packageRoot.appendingPathComponent(".venv/bin/python"),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".venv/bin/python"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    @Test("samples and schemas conform (validated by jsonschema in Python)")
    func conformsToOfficialSchemas() async throws {
        guard let python = Self.python(), FileManager.default.isExecutableFile(atPath: python.path) else {
            Issue.record("No Python found for schema validation (EDGE_AGENT_PYTHON or .venv/bin/python). Run `make test`, which sets up .venv with the ocpp package.")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ocpp-schemas-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let samplesDirectory = directory.appendingPathComponent("samples")
        let schemasDirectory = directory.appendingPathComponent("schemas")
        try FileManager.default.createDirectory(at: samplesDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: schemasDirectory, withIntermediateDirectories: true)

        for (index, sample) in Samples.all.enumerated() {
            let document = JSONValue.object([
                "schema": .string(sample.schemaName), "name": .string(sample.description), "payload": try sample.encoded(),
            ])
            try Data(document.serialized.utf8).write(to: samplesDirectory.appendingPathComponent(String(format: "%03d.json", index)))
        }
        for action in OCPPAction.allCases {
            try Data(action.requestType.schema.jsonSchema.serialized.utf8)
                .write(to: schemasDirectory.appendingPathComponent("\(action.rawValue).json"))
            try Data(action.confirmationType.schema.jsonSchema.serialized.utf8)
                .write(to: schemasDirectory.appendingPathComponent("\(action.rawValue)Response.json"))
        }

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("validate_schemas.py")
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, directory.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Reading and waiting block; do it on a thread of its own so the test does not hold one of the few
        // cooperative threads that every other test (and the code under test) needs.
        let text = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread.detachNewThread {
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                continuation.resume(returning: text)
            }
        }
        #expect(process.terminationStatus == 0, "schema validation failed (status \(process.terminationStatus); status 2 means run `make test` to set up .venv):\n\(text)")
    }
}
