import Foundation
import Logging
import Testing
@testable import EdgeAgent

@Suite("Operations: diagnostics window, names and the log ring")
struct OperationsDiagnosticsTests {
    let base = Date(timeIntervalSince1970: 1_800_000_000)

    func line(_ offset: TimeInterval, _ message: String) -> DiagnosticsLogLine {
        DiagnosticsLogLine(at: base + offset, level: .info, label: "edge-agent", message: message)
    }

    @Test func theWindowKeepsLinesWithinItsBounds() {
        let lines = [line(30, "c"), line(0, "a"), line(10, "b"), line(60, "d")]
        #expect(DiagnosticsRules.select(lines, start: base + 10, stop: base + 30).map(\.message) == ["b", "c"])
        #expect(DiagnosticsRules.select(lines, start: nil, stop: base + 10).map(\.message) == ["a", "b"])
        #expect(DiagnosticsRules.select(lines, start: base + 31, stop: nil).map(\.message) == ["d"])
        #expect(DiagnosticsRules.select(lines, start: nil, stop: nil).count == 4)
        #expect(DiagnosticsRules.select(lines, start: base + 61, stop: nil).isEmpty)
    }

    @Test func theRingIsBoundedAndKeepsTheNewest() {
        let ring = DiagnosticsLogRing(capacity: 3)
        for index in 0..<5 { ring.append(line(TimeInterval(index), "m\(index)")) }
        #expect(ring.snapshot().map(\.message) == ["m2", "m3", "m4"])
    }

    @Test func secretsNeverReachTheRing() {
        let ring = DiagnosticsLogRing(capacity: 10)
        ring.append(DiagnosticsLogLine(
            at: base, level: .info, label: "x", message: "m",
            metadata: ["password": "hunter2", "apiToken": "abc", "compartment": "A1"]))
        let kept = ring.snapshot()[0]
        #expect(kept.metadata == ["password": "<redacted>", "apiToken": "<redacted>", "compartment": "A1"])
        #expect(!kept.text.contains("hunter2"))
    }

    @Test func theFileNameAndUploadURL() {
        let name = DiagnosticsRules.fileName(identity: "SIM/LOCKER 01", at: base)
        #expect(name == "diagnostics-SIM_LOCKER_01-20270115T080000Z.tar.gz")
        #expect(DiagnosticsRules.uploadURL(location: "https://cs.example.com/up/", fileName: name) == "https://cs.example.com/up/\(name)")
        #expect(DiagnosticsRules.uploadURL(location: "https://cs.example.com/up/x.tgz", fileName: name) == "https://cs.example.com/up/x.tgz")
        #expect(DiagnosticsRules.unsupportedLocation("ftp://cs.example.com/") != nil)
        #expect(DiagnosticsRules.unsupportedLocation("https://cs.example.com/") == nil)
    }

    @Test func journalctlCoversTheSameWindowInUTC() {
        let arguments = DiagnosticsRules.journalctlArguments(unit: "edge-agent", start: base, stop: base + 90)
        #expect(arguments == [
            "-u", "edge-agent", "--no-pager", "-o", "short-iso-precise",
            "--since", "2027-01-15 08:00:00 UTC", "--until", "2027-01-15 08:01:30 UTC",
        ])
        #expect(!DiagnosticsRules.journalctlArguments(unit: "edge-agent", start: nil, stop: nil).contains("--since"))
    }

    @Test func theStoreSnapshotCarriesNoAuthorizationKey() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SiteStore(folder: folder)
        defer { store.close() }
        try store.setOCPPConfigurationValue("s3cret-basic-auth", forKey: "AuthorizationKey")
        try store.setOCPPConfigurationValue("120", forKey: "HeartbeatInterval")
        let copyPath = (folder as NSString).appendingPathComponent("snapshot.sqlite")
        try store.backup(to: copyPath)
        let bytes = try #require(FileManager.default.contents(atPath: copyPath))
        #expect(bytes.range(of: Data("s3cret-basic-auth".utf8)) == nil)
        let copyFolder = (folder as NSString).appendingPathComponent("copy")
        try FileManager.default.createDirectory(atPath: copyFolder, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: copyPath, toPath: (copyFolder as NSString).appendingPathComponent(SiteStore.fileName))
        let copy = try SiteStore(folder: copyFolder)
        defer { copy.close() }
        let values = try copy.ocppConfigurationValues()
        #expect(values["AuthorizationKey"] == "<redacted>" && values["HeartbeatInterval"] == "120")
    }

    @Test func uploadAttemptsAreAtLeastOne() {
        #expect(DiagnosticsRules.attempts(retries: nil, retryInterval: nil) == (1, 30))
        #expect(DiagnosticsRules.attempts(retries: 4, retryInterval: 2) == (4, 2))
        #expect(DiagnosticsRules.attempts(retries: 0, retryInterval: -1) == (1, 0))
    }
}
