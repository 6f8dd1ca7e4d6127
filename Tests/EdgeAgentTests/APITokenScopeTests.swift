import Foundation
import Testing
@testable import EdgeAgent

@Suite("Local API read-only token")
struct APITokenScopeTests {
    @Test("without configuration both tokens are generated once, private, different, and reused")
    func generatedPair() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = LocalAPIConfiguration(host: "127.0.0.1", port: 8080)
        let first = try APITokens.resolve(configuration: configuration, stateFolder: folder)
        let readOnly = try #require(first.readOnlyToken)
        #expect(readOnly.origin == .generated(path: folder + "/api-token-readonly"))
        #expect(readOnly.value.count == 64)
        #expect(readOnly.value != first.operatorToken.value)
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/api-token-readonly")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let second = try APITokens.resolve(configuration: configuration, stateFolder: folder)
        #expect(second.readOnlyToken?.value == readOnly.value)
        #expect(second.readOnlyToken?.origin == .file(path: folder + "/api-token-readonly"))
        #expect(second.operatorToken.value == first.operatorToken.value)
    }

    @Test("the read-only token comes from the site file or its file, like the operator token")
    func configured() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/readonly"
        try " viewer-token-value-1234\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try APIToken.resolveReadOnly(
            configuration: LocalAPIConfiguration(readOnlyTokenFile: file), stateFolder: folder)
        #expect(fromFile.value == "viewer-token-value-1234")
        #expect(fromFile.origin == .file(path: file))
        #expect(fromFile.sourceDescription == file)
        let inline = try APIToken.resolveReadOnly(
            configuration: LocalAPIConfiguration(readOnlyToken: "inline-viewer", readOnlyTokenFile: file), stateFolder: folder)
        #expect(inline.value == "inline-viewer")
        #expect(!FileManager.default.fileExists(atPath: folder + "/api-token-readonly"))
    }

    @Test("a read-only token equal to the operator token is refused, since it would grant operator scope")
    func sameAsOperator() {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: APITokenError.readOnlySameAsOperator) {
            try APITokens.resolve(
                configuration: LocalAPIConfiguration(token: "same-token-value", readOnlyToken: "same-token-value"),
                stateFolder: folder)
        }
    }

    @Test("the site file names the read-only token; it must not repeat the operator token")
    func siteFileKeys() throws {
        let site = try ConfigurationFixtures.load(ConfigurationFixtures.site(
            replacing: "board: simulator", with: "board: simulator\napi: {readOnlyTokenFile: /etc/edge-agent/viewer-token}"))
        #expect(site.api.readOnlyTokenFile == "/etc/edge-agent/viewer-token")
        let both = ConfigurationFixtures.problems(ConfigurationFixtures.site(
            replacing: "board: simulator", with: "board: simulator\napi: {readOnlyToken: abcdefghijklmnopq, readOnlyTokenFile: t}"))
        #expect(both.contains { $0.path == "api.readOnlyToken" && $0.message.contains("not both") })
        let same = ConfigurationFixtures.problems(ConfigurationFixtures.site(
            replacing: "board: simulator", with: "board: simulator\napi: {token: abcdefghijklmnopq, readOnlyToken: abcdefghijklmnopq}"))
        #expect(same.contains { $0.path == "api.readOnlyToken" && $0.message.contains("must differ") })
    }
}
