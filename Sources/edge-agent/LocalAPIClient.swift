import ArgumentParser
import EdgeAgent
import Foundation

/// Why a request to the running daemon's local API did not get a usable answer; each message says what to do.
enum LocalAPIClientError: Error, CustomStringConvertible {
    case notRunning(address: String, reason: String)
    case unauthorized(address: String, tokenSource: String, scope: APIScope)
    case forbidden(message: String)
    case refused(status: Int, message: String)
    case unreadableAnswer(path: String, reason: String)

    var description: String {
        switch self {
        case let .notRunning(address, reason):
            return "no edge-agent answers on \(address): is it running? (systemctl status edge-agent / make run) [\(reason)]"
        case let .unauthorized(address, source, scope):
            return "the edge-agent on \(address) did not accept the \(scope.rawValue) token from \(source) (HTTP 401). "
                + "Use the token file of the running daemon: pass the same --config / --state-dir it runs with "
                + "(its token files are <state folder>/api-token and <state folder>/api-token-readonly, "
                + "or api.tokenFile / api.readOnlyTokenFile in the site file)."
        case let .forbidden(message):
            return "refused (HTTP 403): \(message)"
        case let .refused(status, message):
            return "refused (HTTP \(status)): \(message)"
        case let .unreadableAnswer(path, reason):
            return "the answer to \(path) was not understood (\(reason)); is the daemon the same version as this command?"
        }
    }
}

/// Talks to the running daemon's local API with the token of the scope the command needs, found from the same
/// site options the daemon runs with.
struct LocalAPIClient {
    /// The daemon's address, over HTTPS when the site file gives `api.tls` (EdgeAgent/LocalAPI/LocalAPIRequester.swift).
    let requester: LocalAPIRequester
    let token: APIToken
    let scope: APIScope

    var address: String { requester.address }

    /// The client for this site, or the token problem printed and exit 1.
    static func forSite(_ configuration: SiteConfiguration, scope: APIScope) throws -> LocalAPIClient {
        do throws(APITokenError) {
            let token = switch scope {
            case .operator: try APIToken.resolve(configuration: configuration.api, stateFolder: configuration.storage.folder)
            case .readOnly: try APIToken.resolveReadOnly(configuration: configuration.api, stateFolder: configuration.storage.folder)
            }
            return LocalAPIClient(requester: LocalAPIRequester(configuration: configuration.api), token: token, scope: scope)
        } catch {
            printToStandardError("edge-agent: \(error)")
            throw ExitCode.failure
        }
    }

    /// Sends one request; answers the body of a 2xx response, throws for anything else.
    func send(_ method: String, _ path: String, json body: (any Encodable)? = nil) async throws(LocalAPIClientError) -> Data {
        let answer: LocalAPIRequester.Answer
        do {
            answer = try await requester.send(
                method: method, path: path, bearer: token.value, json: body.flatMap { try? JSONEncoder().encode($0) })
        } catch {
            throw .notRunning(address: address, reason: error.reason)
        }
        let (status, data) = (answer.status, answer.body)
        let message = (try? JSONDecoder().decode(ErrorBody.self, from: data).error) ?? String(decoding: data, as: UTF8.self)
        switch status {
        case 200..<300: return data
        case 401: throw .unauthorized(address: address, tokenSource: token.sourceDescription, scope: scope)
        case 403: throw .forbidden(message: message)
        default: throw .refused(status: status, message: message)
        }
    }

    /// Sends a GET and decodes the answer.
    func get<Answer: Decodable>(_ path: String, as type: Answer.Type) async throws(LocalAPIClientError) -> (Answer, Data) {
        let data = try await send("GET", path)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return (try decoder.decode(Answer.self, from: data), data)
        } catch {
            throw .unreadableAnswer(path: path, reason: "\(error)")
        }
    }

    private struct ErrorBody: Decodable {
        var error: String
    }
}

extension LocalAPIClientError {
    /// Prints the error and ends the command with exit 1.
    func exit() -> ExitCode {
        printToStandardError("edge-agent: \(self)")
        return ExitCode.failure
    }
}
