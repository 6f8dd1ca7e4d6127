import AsyncHTTPClient
import Foundation
import NIOCore

/// Why one HTTP(S) transfer failed.
public struct HTTPTransferError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// Firmware downloads and diagnostics uploads over HTTP(S) (AsyncHTTPClient's shared client).
enum HTTPTransfer {
    /// The most a firmware download may be (a board's staging folder is not unlimited).
    static let maximumDownloadBytes = 512 * 1024 * 1024

    /// Downloads `url` into `file` (replaced); anything but 200 is a failure.
    static func download(_ url: String, to file: String, timeout: TimeAmount = .minutes(10)) async throws(HTTPTransferError) {
        let request = HTTPClientRequest(url: url)
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            guard response.status == .ok else {
                throw HTTPTransferError(description: "GET \(redacted(url)) answered \(response.status.code) \(response.status.reasonPhrase)")
            }
            FileManager.default.createFile(atPath: file, contents: nil)
            guard let handle = FileHandle(forWritingAtPath: file) else {
                throw HTTPTransferError(description: "cannot write \(file)")
            }
            defer { try? handle.close() }
            var received = 0
            for try await buffer in response.body {
                received += buffer.readableBytes
                guard received <= maximumDownloadBytes else {
                    throw HTTPTransferError(description: "the file at \(redacted(url)) is larger than \(maximumDownloadBytes / 1024 / 1024) MiB")
                }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
            try handle.synchronize()
        } catch let error as HTTPTransferError {
            throw error
        } catch {
            throw HTTPTransferError(description: "GET \(redacted(url)) failed: \(error)")
        }
    }

    /// Uploads `file` to `url` with `method` (PUT or POST); any 2xx answer is success.
    static func upload(
        _ file: String, to url: String, method: OperationsConfiguration.UploadMethod, timeout: TimeAmount = .minutes(5))
        async throws(HTTPTransferError)
    {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw HTTPTransferError(description: "cannot read \(file)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method == .put ? .PUT : .POST
        request.headers.add(name: "Content-Type", value: "application/gzip")
        request.body = .bytes(ByteBuffer(bytes: data))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            guard (200..<300).contains(response.status.code) else {
                throw HTTPTransferError(
                    description: "\(method.rawValue) \(redacted(url)) answered \(response.status.code) \(response.status.reasonPhrase)")
            }
        } catch let error as HTTPTransferError {
            throw error
        } catch {
            throw HTTPTransferError(description: "\(method.rawValue) \(redacted(url)) failed: \(error)")
        }
    }

    /// A URL as it may be logged: user and password removed.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}
