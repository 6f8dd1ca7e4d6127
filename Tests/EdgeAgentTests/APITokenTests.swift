import Foundation
import Testing
@testable import EdgeAgent

@Suite("Local API token")
struct APITokenTests {
    @Test("without configuration a 256-bit token is generated once, private, and reused")
    func generatedOnce() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = LocalAPIConfiguration(host: "127.0.0.1", port: 8080, token: nil, tokenFile: nil)
        let first = try APIToken.resolve(configuration: configuration, stateFolder: folder)
        #expect(first.origin == .generated(path: folder + "/api-token"))
        #expect(first.value.count == 64)
        #expect(first.value.allSatisfy { $0.isHexDigit })
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/api-token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let second = try APIToken.resolve(configuration: configuration, stateFolder: folder)
        #expect(second.value == first.value)
        #expect(second.origin == .file(path: folder + "/api-token"))
    }

    @Test("an inline token wins over files; a token file is read and trimmed")
    func sources() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/token"
        try "  s3cret-token-value \n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try APIToken.resolve(
            configuration: LocalAPIConfiguration(host: "127.0.0.1", port: 1, token: nil, tokenFile: file),
            stateFolder: folder)
        #expect(fromFile.value == "s3cret-token-value")
        let inline = try APIToken.resolve(
            configuration: LocalAPIConfiguration(host: "127.0.0.1", port: 1, token: "inline", tokenFile: file),
            stateFolder: folder)
        #expect(inline.value == "inline")
        #expect(inline.origin == .configuration)
    }

    @Test("an empty or missing token file is an error that names the file")
    func badFiles() throws {
        let folder = makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let empty = folder + "/empty"
        _ = FileManager.default.createFile(atPath: empty, contents: Data("\n".utf8))
        #expect(throws: APITokenError.empty(path: empty)) {
            try APIToken.resolve(
                configuration: LocalAPIConfiguration(host: "h", port: 1, token: nil, tokenFile: empty), stateFolder: folder)
        }
        do {
            _ = try APIToken.resolve(
                configuration: LocalAPIConfiguration(host: "h", port: 1, token: nil, tokenFile: folder + "/missing"),
                stateFolder: folder)
            Issue.record("a missing token file must fail")
        } catch {
            #expect("\(error)".contains(folder + "/missing"))
        }
    }

    @Test("matching accepts only the exact token")
    func matching() {
        let token = APIToken(value: "abcdef", origin: .configuration)
        #expect(token.matches("abcdef"))
        #expect(!token.matches("abcdeF"))
        #expect(!token.matches("abcde"))
        #expect(!token.matches("abcdefg"))
        #expect(!token.matches(""))
    }
}
